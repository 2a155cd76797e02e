from __future__ import annotations

import datetime as dt

import httpx
import pytest

from studio.client import ApiError, LinkExpired, UncertainSubmission
from studio.client._core import RetryPolicy, parse_retry_after, resolve_url

NOW = dt.datetime(2026, 5, 26, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Tue, 26 May 2026 12:00:30 GMT", 30.0),
        ("Tue, 26 May 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_policy_never_repeats_a_create_after_an_answer() -> None:
    policy = RetryPolicy(rand=lambda: 1.0)
    busy = ApiError(503, "busy", retry_after=1.0, sent=True)
    assert policy.after_error_status(busy, 0, idempotent=False) is None
    assert policy.after_error_status(busy, 0, idempotent=True) == 1.0
    request = httpx.Request("POST", "http://api.test/v1/generations")
    read_timeout = httpx.ReadTimeout("t", request=request)
    refused = httpx.ConnectError("refused", request=request)
    assert policy.after_transport_error(read_timeout, 0, idempotent=False) is None
    assert policy.after_transport_error(refused, 0, idempotent=False) == 0.5
    assert policy.after_transport_error(refused, 4, idempotent=False) is None


def test_relative_links_resolve_against_the_api_origin() -> None:
    base = "http://127.0.0.1:8000/v1"
    assert resolve_url(base, "/media/out.mp4?sig=1") == "http://127.0.0.1:8000/media/out.mp4?sig=1"
    assert resolve_url(base, "https://cdn.test/a.mp4") == "https://cdn.test/a.mp4"


def test_errors_read_well_and_keep_their_kind() -> None:
    assert str(ApiError(None, "ConnectError: refused", request_id="r1")) == (
        "No response: ConnectError: refused · request r1"
    )
    assert issubclass(LinkExpired, ApiError)
    assert issubclass(UncertainSubmission, ApiError)
    assert repr(ApiError(404, "Generation not found")).startswith("ApiError(status=404")
