"""The account page for API tokens: create (shown once), list, revoke; personal to each."""

from __future__ import annotations

import re

from django.urls import reverse

from studio.api.models import ApiToken
from studio.api.tokens import issue, membership_for_token

TOKEN = re.compile(r"studio_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def test_sign_in_is_needed(client) -> None:
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(reverse("api:token_revoke", args=[1]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_header_links_to_the_page(client, personas) -> None:
    client.force_login(personas.viewer)
    html = client.get(reverse("teams:team")).content.decode()
    assert f'href="{reverse("api:tokens")}"' in html and "API tokens" in html


def test_a_new_token_is_shown_once(client, personas) -> None:
    client.force_login(personas.reviewer)
    response = client.post(
        reverse("api:tokens"), {"name": "nightly export", "team": personas.team.pk}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    shown = TOKEN.findall(html)
    assert len(set(shown)) == 1
    raw = shown[0]
    membership = membership_for_token(raw)
    assert membership.user == personas.reviewer and membership.team == personas.team
    token = ApiToken.objects.get(user=personas.reviewer)
    assert token.name == "nightly export" and f"studio_{token.prefix}_" in html
    # The next visit lists it, but the token itself is gone for good.
    html = client.get(reverse("api:tokens")).content.decode()
    assert "nightly export" in html and token.prefix in html
    assert raw not in html and not TOKEN.search(html)


def test_any_role_may_make_one_only_in_their_own_teams(client, personas) -> None:
    client.force_login(personas.viewer)
    html = client.get(reverse("api:tokens")).content.decode()
    assert "Northwind" in html and "Elsewhere" not in html
    response = client.post(reverse("api:tokens"), {"name": "x", "team": personas.other_team.pk})
    assert response.status_code == 200
    assert not ApiToken.objects.exists() and not TOKEN.search(response.content.decode())
    client.post(reverse("api:tokens"), {"name": "watcher", "team": personas.team.pk})
    assert ApiToken.objects.get().user == personas.viewer


def test_a_name_is_needed(client, personas) -> None:
    client.force_login(personas.editor)
    response = client.post(reverse("api:tokens"), {"name": " ", "team": personas.team.pk})
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_ones_own_tokens(client, personas) -> None:
    issue(personas.owner, personas.team, "owner's script")
    issue(personas.editor, personas.team, "editor's script")
    client.force_login(personas.editor)
    html = client.get(reverse("api:tokens")).content.decode()
    assert "editor&#x27;s script" in html and "owner&#x27;s script" not in html


def test_revoke(client, personas) -> None:
    token, raw = issue(personas.editor, personas.team, "farm")
    client.force_login(personas.editor)
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("api:tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None and membership_for_token(raw) is None
    html = client.get(reverse("api:tokens")).content.decode()
    assert "Revoked" in html and reverse("api:token_revoke", args=[token.pk]) not in html
    # Again: nothing more happens.
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302


def test_nobody_else_can_revoke_a_token(client, personas) -> None:
    token, raw = issue(personas.editor, personas.team, "farm")
    for other in (personas.owner, personas.outsider):
        client.force_login(other)
        assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and membership_for_token(raw) is not None


def test_revoking_needs_a_post(client, personas) -> None:
    token, _raw = issue(personas.editor, personas.team, "farm")
    client.force_login(personas.editor)
    assert client.get(reverse("api:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_former_member_sees_their_token_does_not_work(client, personas) -> None:
    issue(personas.editor, personas.team, "farm")
    personas.team.memberships.filter(user=personas.editor).delete()
    client.force_login(personas.editor)
    html = client.get(reverse("api:tokens")).content.decode()
    assert "no longer in this team" in html
