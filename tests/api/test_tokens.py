"""Issuing, checking and revoking tokens (studio/api/tokens.py)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from studio.api.models import ApiToken
from studio.api.tokens import issue, membership_for_token, revoke
from studio.teams.models import Membership


def test_issue_returns_the_token_once_and_stores_only_its_hash(personas) -> None:
    token, raw = issue(personas.editor, personas.team, "  render farm  ")
    scheme, prefix, secret = raw.split("_", 2)
    assert scheme == "studio" and prefix == token.prefix and len(prefix) == 8
    assert len(secret) >= 43  # 32 random bytes, url-safe base64
    assert token.name == "render farm"
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert not any(secret in str(value) for value in stored.values())
    assert token.last_used_at is None and token.revoked_at is None


def test_tokens_differ(personas) -> None:
    tokens = [issue(personas.editor, personas.team, "t")[1] for _ in range(5)]
    assert len(set(tokens)) == 5
    assert len({t.split("_")[1] for t in tokens}) == 5


def test_issue_refuses_a_team_the_person_is_not_in(personas) -> None:
    with pytest.raises(ValueError):
        issue(personas.outsider, personas.team, "sneaky")
    assert not ApiToken.objects.exists()


def test_a_token_acts_as_its_membership(personas) -> None:
    token, raw = issue(personas.reviewer, personas.team, "t")
    membership = membership_for_token(raw)
    assert membership is not None
    assert membership.user == personas.reviewer and membership.team == personas.team
    assert membership.role == "reviewer"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "raw", ["", "studio_", "studio_12345678_nope", "ghp_abc", "Bearer x", "studio_" + "a" * 500]
)
def test_unknown_tokens_match_nothing(personas, raw: str) -> None:
    issue(personas.editor, personas.team, "t")
    assert membership_for_token(raw) is None


def test_a_slightly_wrong_token_matches_nothing(personas) -> None:
    _token, raw = issue(personas.editor, personas.team, "t")
    assert membership_for_token(raw[:-1]) is None
    assert membership_for_token(raw + "x") is None


def test_a_revoked_token_stops_working(personas) -> None:
    token, raw = issue(personas.editor, personas.team, "t")
    assert revoke(token) is True
    assert token.revoked_at is not None
    assert membership_for_token(raw) is None
    assert revoke(token) is False  # already revoked: nothing changes


def test_leaving_the_team_stops_the_token_and_a_role_change_applies_at_once(personas) -> None:
    _token, raw = issue(personas.editor, personas.team, "t")
    Membership.objects.filter(user=personas.editor, team=personas.team).update(role="viewer")
    membership = membership_for_token(raw)
    assert membership is not None and not membership.can("compose")
    Membership.objects.filter(user=personas.editor, team=personas.team).delete()
    assert membership_for_token(raw) is None
    # Joining again (a new membership) brings the token back, with the new role.
    Membership.objects.create(user=personas.editor, team=personas.team, role="reviewer")
    assert membership_for_token(raw).role == "reviewer"


def test_a_deactivated_account_cannot_use_its_tokens(personas) -> None:
    _token, raw = issue(personas.editor, personas.team, "t")
    personas.editor.is_active = False
    personas.editor.save()
    assert membership_for_token(raw) is None


def test_last_used_is_written_at_most_once_a_minute(personas, django_assert_num_queries) -> None:
    token, raw = issue(personas.editor, personas.team, "t")
    membership_for_token(raw)
    token.refresh_from_db()
    first = token.last_used_at
    # Within the minute: two reads (token, membership), no write.
    with django_assert_num_queries(2):
        membership_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == first
    earlier = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    membership_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at > earlier
