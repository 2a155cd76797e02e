"""Invite links: single use by default, a chosen number of uses, who joined and when, revoking."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.accounts.users import create_user
from studio.teams.models import MAX_INVITE_USES, OWNER_INVITE_SINGLE_USE, Invite, Membership
from tests.conftest import Personas

NEW_PASSWORD = "plum orchard at dusk"


def _create(client: Client, personas: Personas, **data: str) -> Invite:
    client.force_login(personas.owner)
    response = client.post(reverse("teams:invite"), {"role": "editor", "days": "3", **data})
    assert response.status_code == 302
    return Invite.objects.latest("id")


def _sign_up(client: Client, invite: Invite, email: str) -> int:
    """A newcomer creates an account through the link; the answer's status."""
    response = client.post(
        reverse("teams:join", args=[invite.token]),
        {
            "name": "New Person",
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    return response.status_code


def test_a_link_works_once_by_default(client: Client, personas: Personas) -> None:
    invite = _create(client, personas)
    assert (invite.max_uses, invite.used) == (1, 0)
    assert _sign_up(Client(), invite, "first@example.com") == 302
    late = Client()
    response = late.get(reverse("teams:join", args=[invite.token]))
    assert response.status_code == 410 and b"It has been used." in response.content
    assert _sign_up(late, invite, "second@example.com") == 410
    assert not Membership.objects.filter(user__email="second@example.com").exists()
    # A signed-in person cannot use it either.
    late.force_login(personas.outsider)
    assert late.post(reverse("teams:join", args=[invite.token])).status_code == 410
    assert not Membership.objects.filter(team=personas.team, user=personas.outsider).exists()


def test_a_link_with_uses_brings_in_that_many_and_records_who_and_when(
    client: Client, personas: Personas
) -> None:
    before = timezone.now()
    invite = _create(client, personas, uses="3")
    assert _sign_up(Client(), invite, "one@example.com") == 302
    html = client.get(reverse("teams:team")).content.decode()
    assert "2 of 3 uses left" in html
    joiner = Client()
    joiner.force_login(personas.outsider)
    assert joiner.post(reverse("teams:join", args=[invite.token])).status_code == 302
    assert _sign_up(Client(), invite, "three@example.com") == 302
    assert _sign_up(Client(), invite, "four@example.com") == 410
    invite.refresh_from_db()
    assert invite.used == 3 and invite.uses_left == 0
    uses = list(invite.uses.select_related("user"))
    assert [u.user.email for u in uses] == [
        "one@example.com",
        "outsider@example.com",
        "three@example.com",
    ]
    assert all(before <= u.used_at <= timezone.now() for u in uses)
    # Used up: no longer listed for copying.
    assert invite.token not in client.get(reverse("teams:team")).content.decode()


def test_a_member_reopening_a_link_uses_nothing(client: Client, personas: Personas) -> None:
    invite = _create(client, personas, uses="2")
    member = Client()
    member.force_login(personas.viewer)
    response = member.post(reverse("teams:join", args=[invite.token]))
    assert response.status_code == 302
    invite.refresh_from_db()
    assert invite.used == 0 and not invite.uses.exists()
    assert Membership.objects.get(team=personas.team, user=personas.viewer).role == "viewer"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"uses": str(MAX_INVITE_USES + 1)}, f"less than or equal to {MAX_INVITE_USES}"),
        ({"uses": "0"}, "greater than or equal to 1"),
        ({"uses": "many"}, "Enter a whole number"),
        ({"role": "owner", "uses": "2"}, OWNER_INVITE_SINGLE_USE),
    ],
)
def test_uses_are_checked(client: Client, personas: Personas, data: dict, message: str) -> None:
    client.force_login(personas.owner)
    response = client.post(
        reverse("teams:invite"), {"role": "editor", "days": "3", **data}, follow=True
    )
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Invite.objects.exists()


def test_an_owner_link_and_up_to_fifty_uses(client: Client, personas: Personas) -> None:
    assert _create(client, personas, role="owner").max_uses == 1
    assert _create(client, personas, role="viewer", uses="50").max_uses == MAX_INVITE_USES


def test_the_database_holds_the_limits_too(personas: Personas) -> None:
    invite = Invite.objects.create(
        team=personas.team,
        role="viewer",
        created_by=personas.owner,
        expires_at=timezone.now(),
        max_uses=2,
    )
    with pytest.raises(IntegrityError):
        Invite.objects.filter(pk=invite.pk).update(role="owner")


def test_the_team_page_shows_uses_left(client: Client, personas: Personas) -> None:
    _create(client, personas)
    _create(client, personas, uses="5")
    html = client.get(reverse("teams:team")).content.decode()
    assert "single use" in html and "5 of 5 uses left" in html


def test_revoking_asks_first_and_needs_a_post_with_the_csrf_token(
    client: Client, personas: Personas
) -> None:
    invite = _create(client, personas, uses="2")
    url = reverse("teams:invite_revoke", args=[invite.pk])
    html = client.get(reverse("teams:team")).content.decode()
    form = re.search(rf'<form[^>]*action="{url}"[^>]*>', html)
    assert form and 'method="post"' in form.group(0) and "data-confirm=" in form.group(0)
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.owner)
    assert strict.post(url).status_code == 403
    invite.refresh_from_db()
    assert invite.revoked_at is None
    assert client.post(url).status_code == 302
    invite.refresh_from_db()
    assert invite.revoked_at is not None
    newcomer = create_user("late@example.com", NEW_PASSWORD)
    client.force_login(newcomer)
    response = client.post(reverse("teams:join", args=[invite.token]))
    assert response.status_code == 410 and b"It was revoked." in response.content
