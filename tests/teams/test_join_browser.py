"""An invite opened in a browser by someone without an account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.teams.models import Invite, Membership
from tests.conftest import Personas


@pytest.mark.browser
def test_create_an_account_from_an_invite(
    page: object, live_server: object, personas: Personas
) -> None:
    invite = Invite.objects.create(
        team=personas.team,
        role="editor",
        created_by=personas.owner,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    page.goto(live_server.url + reverse("teams:join", args=[invite.token]))
    assert page.get_by_role("heading", name="Create your account").is_visible()
    page.get_by_label("Your name").fill("Nia New")
    page.get_by_label("Email").fill("nia@example.com")
    page.get_by_label("Password", exact=True).fill("plum orchard at dusk")
    page.get_by_label("Password again").fill("plum orchard at dusk!")
    page.get_by_role("button", name="Create account and join").click()
    assert "differ" in page.locator("#id_password2-error").inner_text()
    page.get_by_label("Password", exact=True).fill("plum orchard at dusk")
    page.get_by_label("Password again").fill("plum orchard at dusk")
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(live_server.url + reverse("review:gallery"))
    assert "Welcome to Northwind" in page.locator(".messages").inner_text()
    assert "nia@example.com" in page.locator(".user-email").inner_text()
    assert Membership.objects.get(user__email="nia@example.com").role == "editor"
