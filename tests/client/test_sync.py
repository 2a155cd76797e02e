from __future__ import annotations

import email.utils
import time
import uuid

import httpx
import pytest

from studio.client import ApiError, Client, UncertainSubmission

from .conftest import API_KEY, BASE_URL, VALID_BODY, Script, Sleeps, generation


def make_client(script: Script, sleeps: Sleeps, **kwargs: object) -> Client:
    return Client(BASE_URL, API_KEY, transport=script.transport(), sleep=sleeps, **kwargs)


def test_get_retries_502_and_503_then_returns_the_generation(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(502, json={"detail": "Upstream service unavailable"}),
        httpx.Response(503, json={"detail": "Media URL ingestion is unavailable"}),
        httpx.Response(200, json=generation("processing")),
    )
    with make_client(script, sleeps) as client:
        answer = client.get_generation("6f1c0d2e-8a55-4f7e-9a0b-1d2c3e4f5a6b")
    assert answer["state"] == "processing"
    assert len(script.requests) == 3
    assert len(sleeps.calls) == 2
    assert str(script.requests[0].url) == (
        "http://api.test/v1/generations/6f1c0d2e-8a55-4f7e-9a0b-1d2c3e4f5a6b"
    )


def test_backoff_is_exponential_capped_and_jittered(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(500, text="oops"))
    client = make_client(
        script, sleeps, max_retries=5, backoff_base=1.0, backoff_cap=5.0, rand=lambda: 1.0
    )
    with pytest.raises(ApiError) as info:
        client.get_generation("abc")
    assert sleeps.calls == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert len(script.requests) == 6
    assert info.value.status == 500


def test_full_jitter_scales_the_wait(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(502), httpx.Response(200, json=generation()))
    client = make_client(script, sleeps, backoff_base=2.0, rand=lambda: 0.25)
    client.get_generation("abc")
    assert sleeps.calls == [0.5]


def test_429_honours_retry_after_seconds(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "Rate limit exceeded"}),
        httpx.Response(200, json=generation()),
    )
    make_client(script, sleeps).get_generation("abc")
    assert sleeps.calls == [7.0]


def test_429_honours_retry_after_http_date(sleeps: Sleeps) -> None:
    when = email.utils.formatdate(time.time() + 12, usegmt=True)
    script = Script(
        httpx.Response(429, headers={"Retry-After": when}),
        httpx.Response(200, json=generation()),
    )
    make_client(script, sleeps).get_generation("abc")
    assert len(sleeps.calls) == 1
    assert 9.0 <= sleeps.calls[0] <= 12.0


def test_retry_after_longer_than_the_cap_is_handed_to_the_caller(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "600"}, text="busy"))
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps, backoff_cap=30.0).get_generation("abc")
    assert info.value.retry_after == 600.0
    assert info.value.status == 429
    assert sleeps.calls == []
    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422])
def test_4xx_other_than_429_is_not_retried(sleeps: Sleeps, status: int) -> None:
    script = Script(httpx.Response(status, json={"detail": "Generation not found"}))
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps).get_generation("abc")
    assert info.value.status == status
    assert info.value.detail == "Generation not found"
    assert len(script.requests) == 1
    assert sleeps.calls == []


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ReadTimeout, httpx.ReadError])
def test_get_retries_transport_errors(sleeps: Sleeps, failure: type[Exception]) -> None:
    script = Script(failure, httpx.Response(200, json=generation("completed")))
    assert make_client(script, sleeps).get_generation("abc")["state"] == "completed"
    assert len(script.requests) == 2


def test_get_gives_up_after_max_retries_with_a_transport_error(sleeps: Sleeps) -> None:
    script = Script(httpx.ConnectError)
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps, max_retries=2).get_generation("abc")
    assert len(script.requests) == 3
    assert info.value.status is None
    assert info.value.sent is False
    assert not isinstance(info.value, UncertainSubmission)
    assert "ConnectError" in info.value.detail


def test_create_is_never_resent_after_a_read_timeout(sleeps: Sleeps) -> None:
    script = Script(httpx.ReadTimeout, httpx.Response(201, json=generation()))
    with pytest.raises(UncertainSubmission) as info:
        make_client(script, sleeps).create_generation(dict(VALID_BODY))
    assert len(script.requests) == 1
    assert info.value.sent is True
    assert info.value.status is None
    assert info.value.request_id == script.requests[0].headers["X-Request-Id"]
    assert sleeps.calls == []


@pytest.mark.parametrize("failure", [httpx.WriteTimeout, httpx.RemoteProtocolError])
def test_create_is_uncertain_once_bytes_may_have_left(
    sleeps: Sleeps, failure: type[Exception]
) -> None:
    script = Script(failure)
    with pytest.raises(UncertainSubmission):
        make_client(script, sleeps).create_generation(dict(VALID_BODY))
    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_create_is_not_retried_on_5xx(sleeps: Sleeps, status: int) -> None:
    script = Script(httpx.Response(status, json={"detail": "Upstream service unavailable"}))
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps).create_generation(dict(VALID_BODY))
    assert not isinstance(info.value, UncertainSubmission)
    assert info.value.status == status
    assert info.value.detail == "Upstream service unavailable"
    assert len(script.requests) == 1


def test_create_429_is_returned_with_its_retry_after(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(
            429, headers={"Retry-After": "60"}, json={"detail": "Too many concurrent jobs"}
        )
    )
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps).create_generation(dict(VALID_BODY))
    assert (info.value.status, info.value.retry_after) == (429, 60.0)
    assert info.value.detail == "Too many concurrent jobs"
    assert len(script.requests) == 1


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout])
def test_create_is_retried_when_the_connection_never_opened(
    sleeps: Sleeps, failure: type[Exception]
) -> None:
    script = Script(failure, failure, httpx.Response(201, json=generation()))
    answer = make_client(script, sleeps).create_generation(dict(VALID_BODY))
    assert answer["state"] == "queued"
    assert len(script.requests) == 3
    assert len(sleeps.calls) == 2
    assert all(r.method == "POST" for r in script.requests)


def test_create_sends_the_body_as_json_with_the_key(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(201, json=generation()))
    make_client(script, sleeps).create_generation(dict(VALID_BODY))
    request = script.requests[0]
    assert str(request.url) == "http://api.test/v1/generations"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert httpx.Response(200, content=request.content).json() == VALID_BODY


def test_create_rejects_a_contract_error_without_sending(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(201, json=generation()))
    body = {**VALID_BODY, "video": {"resolution": "999p"}}
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps).create_generation(body)
    assert info.value.status == 400
    assert info.value.detail == "video.resolution: must be one of 360p, 540p, 720p, 1080p"
    assert info.value.sent is False
    assert script.requests == []


def test_every_attempt_has_a_fresh_request_id(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(502), httpx.ReadTimeout, httpx.Response(503))
    client = make_client(script, sleeps, max_retries=3)
    with pytest.raises(ApiError) as info:
        client.get_generation("abc")
    ids = [r.headers["X-Request-Id"] for r in script.requests]
    assert len(ids) == 4
    assert len(set(ids)) == 4
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert info.value.request_id == ids[-1]
    assert client.last_request_id == ids[-1]


def test_last_request_id_is_kept_on_success(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(502), httpx.Response(200, json=generation()))
    client = make_client(script, sleeps)
    client.get_generation("abc")
    assert client.last_request_id == script.requests[-1].headers["X-Request-Id"]
    assert client.last_request_id != script.requests[0].headers["X-Request-Id"]


def test_error_carries_status_detail_request_id_and_retry_after(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(503, headers={"Retry-After": "3"}, json={"detail": "Slow down"}),
    )
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps, max_retries=0).get_generation("abc")
    error = info.value
    assert error.status == 503
    assert error.detail == "Slow down"
    assert error.retry_after == 3.0
    assert error.request_id == script.requests[0].headers["X-Request-Id"]
    assert error.sent is True
    assert str(error) == f"HTTP 503: Slow down · retry after 3s · request {error.request_id}"


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (
            httpx.Response(404, text="<html><h1>Not  here</h1>\n</html>"),
            "<html><h1>Not here</h1> </html>",
        ),
        (httpx.Response(404), "Not Found"),
        (httpx.Response(400, json={"detail": [{"loc": ["prompt"]}]}), '[{"loc": ["prompt"]}]'),
        (httpx.Response(418, json={"error": "x"}), '{"error":"x"}'),
    ],
)
def test_error_detail_falls_back_for_other_bodies(
    sleeps: Sleeps, response: httpx.Response, detail: str
) -> None:
    with pytest.raises(ApiError) as info:
        make_client(Script(response), sleeps).get_generation("abc")
    assert info.value.detail == detail


def test_ids_cannot_escape_their_path_segment(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(404, json={"detail": "Generation not found"}))
    with pytest.raises(ApiError):
        make_client(script, sleeps).get_generation("../files")
    assert script.requests[0].url.raw_path == b"/v1/generations/..%2Ffiles"


def test_bad_construction_is_refused() -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client("api.test/v1", API_KEY)
    with pytest.raises(ValueError, match="api_key"):
        Client(BASE_URL, "")
    with pytest.raises(ValueError, match="timeout"):
        Client(BASE_URL, API_KEY, timeout=0)
    with pytest.raises(ValueError, match="retries"):
        Client(BASE_URL, API_KEY, max_retries=-1)
