"""An owner makes a multi-use invite link and revokes it, confirming first, in a browser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from studio.teams.models import Invite
from tests.conftest import Personas, sign_in


@pytest.mark.browser
def test_make_a_link_for_three_and_revoke_it_after_confirming(
    page: object, live_server: object, personas: Personas
) -> None:
    sign_in(page, live_server.url, personas.owner)
    page.goto(live_server.url + reverse("teams:team"))
    page.select_option("#invite-role", "reviewer")
    page.get_by_label("Uses").fill("3")
    page.get_by_role("button", name="Create invite link").click()
    page.wait_for_url(f"{live_server.url}/teams/**")
    invite = Invite.objects.get()
    assert (invite.role, invite.max_uses) == ("reviewer", 3)
    assert "3 of 3 uses left" in page.locator("#invites").inner_text()

    revoke = page.locator("#invites").get_by_role("button", name="Revoke")
    asked: list[str] = []

    def answer(accept: bool) -> object:
        def handle(dialog: object) -> None:
            asked.append(dialog.message)  # type: ignore[attr-defined]
            dialog.accept() if accept else dialog.dismiss()  # type: ignore[attr-defined]

        return handle

    page.once("dialog", answer(False))
    revoke.click()
    assert asked and "Revoke this invite link?" in asked[0]
    # Declined: the page stays, with the link still listed.
    assert revoke.is_visible()
    invite.refresh_from_db()
    assert invite.revoked_at is None
    page.once("dialog", answer(True))
    revoke.click()
    page.wait_for_selector("text=The invite link no longer works.")
    invite.refresh_from_db()
    assert invite.revoked_at is not None
