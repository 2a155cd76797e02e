"""Sign-in throttling: repeated failures for an email from one address are refused for a while."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from studio.accounts.throttle import lockout_message
from studio.api.tokens import issue
from tests.conftest import PASSWORD, Personas

HOME = "10.0.0.5"  # the address the attempts come from
ELSEWHERE = "10.0.0.9"


def _limit() -> int:
    return settings.STUDIO_SIGNIN_FAILURE_LIMIT


def _sign_in(client: Client, email: str, password: str, address: str = HOME, **extra: str) -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _error(response: Any) -> str:
    found = re.search(r'class="form-error" role="alert">(.*?)</div>', response.content.decode())
    return found.group(1) if found else ""


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail_until_locked(client: Client, email: str, address: str = HOME) -> list[Any]:
    return [_sign_in(client, email, f"wrong {i}", address) for i in range(_limit())]


def test_repeated_failures_refuse_even_the_right_password(
    client: Client, personas: Personas
) -> None:
    responses = _fail_until_locked(client, "editor@example.com")
    for response in responses[:-1]:
        assert response.status_code == 200
        assert "Please enter a correct email and password" in _error(response)
    # The failure that reaches the limit already says what happens next.
    assert responses[-1].status_code == 429
    assert _error(responses[-1]) == lockout_message()
    assert "15 minutes" in lockout_message()
    response = _sign_in(client, "Editor@Example.com", PASSWORD)
    assert response.status_code == 429
    assert _error(response) == lockout_message()
    # The sign-in page, with its form, not a bare error page.
    assert 'name="password"' in response.content.decode()
    assert not _signed_in(client)


def test_an_unknown_email_is_answered_exactly_like_a_known_one(
    client: Client, personas: Personas
) -> None:
    known = _fail_until_locked(client, "editor@example.com")
    unknown = _fail_until_locked(client, "nobody@example.com")
    for a, b in zip(known, unknown, strict=True):
        assert (a.status_code, _error(a)) == (b.status_code, _error(b))
    after_known = _sign_in(client, "editor@example.com", PASSWORD)
    after_unknown = _sign_in(client, "nobody@example.com", PASSWORD)
    assert after_known.status_code == after_unknown.status_code == 429
    assert _error(after_known) == _error(after_unknown) == lockout_message()


def test_only_that_email_from_that_address_is_refused(client: Client, personas: Personas) -> None:
    _fail_until_locked(client, "editor@example.com")
    assert _sign_in(client, "editor@example.com", PASSWORD).status_code == 429
    # The same person from another address, and another person from this one, sign in.
    assert _sign_in(client, "editor@example.com", PASSWORD, ELSEWHERE).status_code == 302
    other = Client()
    assert _sign_in(other, "viewer@example.com", PASSWORD).status_code == 302


def test_the_cool_off_ends_the_refusal(client: Client, personas: Personas) -> None:
    _fail_until_locked(client, "editor@example.com")
    assert _sign_in(client, "editor@example.com", PASSWORD).status_code == 429
    # As if the cool-off had passed since the last attempt.
    cool_off = dt.timedelta(minutes=settings.STUDIO_SIGNIN_COOLOFF_MINUTES + 1)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= cool_off
        attempt.save(update_fields=["attempt_time"])
    response = _sign_in(client, "editor@example.com", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_a_success_starts_the_count_again(client: Client, personas: Personas) -> None:
    for i in range(_limit() - 1):
        _sign_in(client, "editor@example.com", f"typo {i}")
    assert _sign_in(client, "editor@example.com", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for i in range(_limit() - 1):
        assert _sign_in(client, "editor@example.com", f"typo {i}").status_code == 200
    assert _sign_in(client, "editor@example.com", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    # Counted afresh, the limit still holds.
    assert _fail_until_locked(client, "editor@example.com")[-1].status_code == 429


def test_a_forged_forwarded_for_header_does_not_reset_the_count(
    client: Client, personas: Personas
) -> None:
    for i in range(_limit()):
        _sign_in(client, "editor@example.com", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _sign_in(client, "editor@example.com", PASSWORD).status_code == 429


def test_behind_a_proxy_the_client_address_is_read_from_forwarded_for(
    client: Client, personas: Personas, settings: Any
) -> None:
    settings.STUDIO_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for _ in range(_limit()):
        # The proxy appends the address it was reached from; what a client wrote before it
        # is not trusted.
        _sign_in(
            client,
            "editor@example.com",
            "wrong",
            proxy,
            HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7",
        )
    locked = _sign_in(
        client, "editor@example.com", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert locked.status_code == 429
    other = _sign_in(
        client, "editor@example.com", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert other.status_code == 302


def test_api_tokens_and_open_sessions_keep_working(client: Client, personas: Personas) -> None:
    _, token = issue(personas.editor, personas.team, "CI")
    signed_in = Client()
    signed_in.force_login(personas.editor)
    _fail_until_locked(client, "editor@example.com", "127.0.0.1")
    assert _sign_in(client, "editor@example.com", PASSWORD, "127.0.0.1").status_code == 429
    response = client.get(reverse("api:generations"), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert signed_in.get(reverse("review:gallery")).status_code == 200


def test_failure_records_keep_no_password(client: Client, personas: Personas) -> None:
    _sign_in(client, "editor@example.com", "hunter2-secret")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "editor@example.com" and attempt.ip_address == HOME
    assert "hunter2-secret" not in attempt.post_data


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/accounts/signin/"])
def test_a_name_longer_than_any_account_is_counted_cut_not_a_500(client: Client, path: str) -> None:
    # PostgreSQL refuses a value longer than the column axes counts failures under.
    response = client.post(path, {"username": "9" * 300, "password": "wrong"})
    assert response.status_code < 500
    # Counted under the name cut to the column (the studio's own form refuses it earlier).
    assert set(AccessAttempt.objects.values_list("username", flat=True)) <= {"9" * 254}
