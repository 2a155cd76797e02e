"""`manage.py studio_token create|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from studio.accounts.users import create_user
from studio.api.models import ApiToken
from studio.api.tokens import issue, membership_for_token
from studio.teams.create import create_team


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("studio_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_prints_a_working_token_last(personas) -> None:
    lines = run("create", "Reviewer@Example.com", "--name", "farm")
    assert len(lines) > 1  # info first, the token alone on the last line
    membership = membership_for_token(lines[-1])
    assert membership.user == personas.reviewer and membership.team == personas.team
    assert ApiToken.objects.get().name == "farm"
    assert "Northwind" in lines[0] and "Reviewer" in lines[0]


def test_create_defaults_to_the_first_team(personas) -> None:
    later = create_team("Later", personas.outsider)
    lines = run("create", "outsider@example.com")
    assert membership_for_token(lines[-1]).team == personas.other_team
    lines = run("create", "outsider@example.com", "--team", "later")
    assert membership_for_token(lines[-1]).team == later
    lines = run("create", "outsider@example.com", "--team", later.slug)
    assert membership_for_token(lines[-1]).team == later


def test_create_refuses_an_unknown_email(personas) -> None:
    with pytest.raises(CommandError, match="No account uses the email nobody@example.com"):
        run("create", "nobody@example.com")
    assert not ApiToken.objects.exists()


def test_create_refuses_a_team_the_person_is_not_in(personas) -> None:
    with pytest.raises(CommandError, match="not in a team named 'Northwind'.*Elsewhere"):
        run("create", "outsider@example.com", "--team", "Northwind")
    assert not ApiToken.objects.exists()


def test_create_refuses_someone_in_no_team(db) -> None:
    create_user("loner@example.com", None)
    with pytest.raises(CommandError, match="not in any team"):
        run("create", "loner@example.com")


def test_revoke_by_prefix_or_whole_token(personas) -> None:
    token, raw = issue(personas.editor, personas.team, "farm")
    lines = run("revoke", token.prefix)
    assert "Revoked" in lines[-1] and membership_for_token(raw) is None
    assert "already revoked" in run("revoke", token.prefix)[-1]
    other, other_raw = issue(personas.editor, personas.team, "cron")
    run("revoke", other_raw)
    assert membership_for_token(other_raw) is None


def test_revoke_refuses_an_unknown_prefix(personas) -> None:
    with pytest.raises(CommandError, match="No token has the prefix"):
        run("revoke", "deadbeef")
