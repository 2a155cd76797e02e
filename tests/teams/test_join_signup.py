"""Opening an invite link without an account: create one and join, or sign in first."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.accounts.throttle import lockout_message
from studio.teams import views as team_views
from studio.teams.access import SESSION_KEY
from studio.teams.models import Invite, Membership
from studio.teams.views import NOT_MADE
from tests.conftest import PASSWORD

NEW_PASSWORD = "plum orchard at dusk"


@pytest.fixture
def invite(personas) -> Invite:
    return Invite.objects.create(
        team=personas.team,
        role="reviewer",
        created_by=personas.owner,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )


def _url(invite: Invite) -> str:
    return reverse("teams:join", args=[invite.token])


def _sign_up(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Nia New",
        "email": "Nia.New@Example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'id="id_{field}-error"[^>]*>(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def _users() -> int:
    return get_user_model().objects.count()


def test_an_anonymous_visitor_sees_the_team_role_and_the_sign_up_form(client, invite) -> None:
    response = client.get(_url(invite))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Join Northwind" in html and "invited as <strong>reviewer</strong>" in html
    assert "Create your account" in html
    for name in ("name", "email", "password1", "password2", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in html
    # Nothing is created by looking.
    assert not Membership.objects.filter(user__email="nia.new@example.com").exists()


def test_sign_up_creates_the_account_joins_and_lands_on_the_gallery(client, invite) -> None:
    before = _users()
    response = client.post(_url(invite), _sign_up())
    assert response.status_code == 302 and response.url == reverse("review:gallery")
    user = get_user_model().objects.get(username="nia.new@example.com")
    assert _users() == before + 1
    assert user.email == "nia.new@example.com" and user.first_name == "Nia New"
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.team == invite.team and membership.role == "reviewer"
    assert client.session[SESSION_KEY] == invite.team_id
    assert int(client.session["_auth_user_id"]) == user.pk
    gallery = client.get(response.url)
    html = gallery.content.decode()
    assert gallery.status_code == 200
    assert "Welcome to Northwind, Nia New." in html and "nia.new@example.com" in html


def _form_error(html: str) -> str:
    found = re.search(r'id="signup-error"[^>]*>(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_an_email_with_an_account_and_another_password_is_not_told_apart(
    client, invite, personas
) -> None:
    before = _users()
    response = client.post(_url(invite), _sign_up(email="Outsider@Example.COM"))
    html = response.content.decode()
    assert response.status_code == 200
    # The same words whoever's email it is: nothing says an account exists.
    assert _form_error(html) == NOT_MADE.replace("'", "&#x27;")
    assert "already uses" not in html and not _field_error(html, "email")
    assert _users() == before
    assert not Membership.objects.filter(team=invite.team, user=personas.outsider).exists()
    assert "_auth_user_id" not in client.session
    # The page itself is the one a newcomer gets, with a way to sign in instead.
    assert "Create your account" in html and f'href="{reverse("accounts:login")}?next=' in html


def test_an_email_with_an_account_joins_with_that_accounts_password(
    client, invite, personas
) -> None:
    before = _users()
    response = client.post(
        _url(invite),
        _sign_up(email="Outsider@Example.COM", password1=PASSWORD, password2=PASSWORD),
    )
    assert response.status_code == 302 and response.url == reverse("review:gallery")
    assert _users() == before
    assert int(client.session["_auth_user_id"]) == personas.outsider.pk
    assert Membership.objects.get(team=invite.team, user=personas.outsider).role == "reviewer"
    assert list(invite.uses.values_list("user", flat=True)) == [personas.outsider.pk]


def test_wrong_passwords_on_the_invite_page_count_like_failed_sign_ins(
    client, invite, personas, settings
) -> None:
    for _ in range(settings.STUDIO_SIGNIN_FAILURE_LIMIT):
        response = client.post(_url(invite), _sign_up(email="outsider@example.com"))
    assert response.status_code == 429
    assert _form_error(response.content.decode()) == lockout_message()
    # Locked out: the right password joins no more, here or on the sign-in page.
    response = client.post(
        _url(invite),
        _sign_up(email="outsider@example.com", password1=PASSWORD, password2=PASSWORD),
    )
    assert response.status_code == 429
    assert not Membership.objects.filter(team=invite.team, user=personas.outsider).exists()
    response = client.post(
        reverse("accounts:login"), {"username": "outsider@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # What the failures recorded holds none of the passwords tried.
    assert NEW_PASSWORD not in AccessAttempt.objects.get().post_data


def test_an_account_made_meanwhile_is_not_duplicated(client, invite, personas, monkeypatch) -> None:
    # The first check finds the email free (as when another sign-up finishes between check
    # and save); the database's unique username then refuses, and the attempt goes on as
    # for any email with an account.
    real = team_views.email_taken
    calls: list[str] = []

    def free_at_first(email: str) -> bool:
        calls.append(email)
        return False if len(calls) == 1 else real(email)

    monkeypatch.setattr(team_views, "email_taken", free_at_first)
    before = _users()
    response = client.post(_url(invite), _sign_up(email="viewer@example.com"))
    assert response.status_code == 200
    assert _form_error(response.content.decode()) == NOT_MADE.replace("'", "&#x27;")
    assert _users() == before
    assert Membership.objects.filter(user=personas.viewer).count() == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "Zq3!", "password2": "Zq3!"}, "password1", "too short"),
        ({"password2": NEW_PASSWORD + "!"}, "password2", "The two passwords differ."),
        # Compared with the person's own email and name.
        (
            {"password1": "nia.new@example.com", "password2": "nia.new@example.com"},
            "password1",
            "too similar to the email",
        ),
        (
            {"name": "Nia Newcombe", "password1": "NiaNewcombe", "password2": "NiaNewcombe"},
            "password1",
            "too similar to the first name",
        ),
        ({"password1": " " * 10, "password2": " " * 10}, "password1", "only spaces"),
    ],
)
def test_weak_or_mismatched_passwords_are_refused_on_their_field(
    client, invite, overrides, field, message
) -> None:
    before = _users()
    response = client.post(_url(invite), _sign_up(**overrides))
    assert response.status_code == 200
    assert message in _field_error(response.content.decode(), field)
    assert _users() == before
    assert "_auth_user_id" not in client.session


def test_missing_fields_are_named(client, invite) -> None:
    response = client.post(_url(invite), {"email": "not-an-email"})
    html = response.content.decode()
    assert "required" in _field_error(html, "name")
    assert "valid email" in _field_error(html, "email")
    assert not get_user_model().objects.filter(email="not-an-email").exists()


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_dead_invite_refuses_sign_up(client, invite, how) -> None:
    if how == "revoked":
        Invite.objects.filter(pk=invite.pk).update(revoked_at=timezone.now())
    else:
        Invite.objects.filter(pk=invite.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    before = _users()
    response = client.get(_url(invite))
    assert response.status_code == 410 and how.encode() in response.content
    response = client.post(_url(invite), _sign_up())
    assert response.status_code == 410 and how.encode() in response.content
    assert b"Create your account" not in response.content
    assert _users() == before
    assert "_auth_user_id" not in client.session


def test_an_unknown_token_is_not_found(client, db) -> None:
    assert client.get(reverse("teams:join", args=["no-such-token"])).status_code == 404
    response = client.post(reverse("teams:join", args=["no-such-token"]), _sign_up())
    assert response.status_code == 404
    assert not get_user_model().objects.exists()


def test_sign_up_needs_the_csrf_token(invite) -> None:
    strict = Client(enforce_csrf_checks=True)
    before = _users()
    assert strict.post(_url(invite), _sign_up()).status_code == 403
    assert _users() == before


def test_the_sign_in_link_comes_back_to_the_invite(client, invite, personas) -> None:
    html = client.get(_url(invite)).content.decode()
    links = re.findall(r'href="([^"]*)">Sign in</a>', html)
    assert links
    link = links[0].replace("&amp;", "&")
    parts = urlsplit(link)
    assert parts.path == reverse("accounts:login")
    assert parse_qs(parts.query)["next"] == [_url(invite)]
    # Signing in there brings the person back to the invite to confirm joining.
    newcomer = personas.outsider
    response = client.post(
        link, {"username": newcomer.email, "password": PASSWORD, "next": _url(invite)}
    )
    assert response.status_code == 302 and response.url == _url(invite)
    assert "invited as <strong>reviewer</strong>" in client.get(response.url).content.decode()
    client.post(_url(invite))
    assert Membership.objects.get(team=invite.team, user=newcomer).role == "reviewer"
