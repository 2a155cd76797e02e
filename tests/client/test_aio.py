from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from studio.client import ApiError, AsyncClient, UncertainSubmission
from tests.conftest import run_async

from .conftest import API_KEY, BASE_URL, VALID_BODY, Script, Sleeps, file_record, generation


def run[T](
    script: Script, sleeps: Sleeps, call: Callable[[AsyncClient], Awaitable[T]], **kwargs: Any
) -> T:
    async def go() -> T:
        async with AsyncClient(
            BASE_URL, API_KEY, transport=script.transport(), sleep=sleeps.asleep, **kwargs
        ) as client:
            return await call(client)

    return run_async(go())


def test_get_retries_5xx_then_succeeds(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(502), httpx.Response(503), httpx.Response(200, json=generation())
    )
    answer = run(script, sleeps, lambda c: c.get_generation("abc"))
    assert answer["id"] == generation()["id"]
    assert len(script.requests) == 3
    assert len(sleeps.calls) == 2


def test_429_retry_after_reaches_the_async_sleep(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "4"}), httpx.Response(200, json=generation())
    )
    run(script, sleeps, lambda c: c.get_generation("abc"))
    assert sleeps.calls == [4.0]


def test_4xx_is_not_retried(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(401, json={"detail": "Invalid API key"}))
    with pytest.raises(ApiError) as info:
        run(script, sleeps, lambda c: c.get_generation("abc"))
    assert (info.value.status, info.value.detail) == (401, "Invalid API key")
    assert len(script.requests) == 1


def test_create_read_timeout_is_uncertain_and_sent_once(sleeps: Sleeps) -> None:
    script = Script(httpx.ReadTimeout, httpx.Response(201, json=generation()))
    with pytest.raises(UncertainSubmission) as info:
        run(script, sleeps, lambda c: c.create_generation(dict(VALID_BODY)))
    assert len(script.requests) == 1
    assert info.value.request_id == script.requests[0].headers["X-Request-Id"]


def test_create_5xx_is_raised_after_one_request(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(502, json={"detail": "Upstream service unavailable"}))
    with pytest.raises(ApiError) as info:
        run(script, sleeps, lambda c: c.create_generation(dict(VALID_BODY)))
    assert info.value.status == 502
    assert len(script.requests) == 1


def test_create_is_retried_on_connect_error(sleeps: Sleeps) -> None:
    script = Script(httpx.ConnectError, httpx.Response(201, json=generation()))
    answer = run(script, sleeps, lambda c: c.create_generation(dict(VALID_BODY)))
    assert answer["state"] == "queued"
    assert len(script.requests) == 2


def test_create_rejects_a_contract_error_without_sending(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(201, json=generation()))
    body = {**VALID_BODY, "video": {"duration": "7s"}}
    with pytest.raises(ApiError) as info:
        run(script, sleeps, lambda c: c.create_generation(body))
    assert (info.value.status, info.value.detail) == (400, "video.duration: must be one of 5s, 10s")
    assert script.requests == []


def test_request_ids_are_fresh_and_the_last_is_kept(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(503), httpx.Response(200, json=generation()))

    async def call(client: AsyncClient) -> str | None:
        await client.get_generation("abc")
        return client.last_request_id

    last = run(script, sleeps, call)
    ids = [r.headers["X-Request-Id"] for r in script.requests]
    assert len(set(ids)) == 2
    assert last == ids[-1]
    assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r in script.requests)


def test_presigned_upload_streams_the_file(sleeps: Sleeps, tmp_path: Any) -> None:
    path = tmp_path / "source.mp4"
    payload = b"frame" * 3000
    path.write_bytes(payload)
    record = file_record(id="file_9", mime_type="video/mp4")
    upload = {"url": "https://bucket.storage.test/up/file_9", "method": "PUT", "headers": {}}

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "bucket.storage.test":
            return httpx.Response(200)
        if request.url.path.endswith("/complete"):
            return httpx.Response(200, json=record)
        return httpx.Response(
            201, json={"id": "file_9", "state": "pending", "file": record, "upload": upload}
        )

    script = Script(route)
    answer = run(
        script,
        sleeps,
        lambda c: c.upload_file(path, mime_type="video/mp4", purpose="input"),
        multipart_limit=1024,
    )
    assert answer["id"] == "file_9"
    create, put, complete = script.requests
    assert json.loads(create.content)["size_bytes"] == len(payload)
    assert put.content == payload
    assert "Authorization" not in put.headers
    assert complete.url.path == "/v1/files/file_9/complete"


def test_small_upload_is_multipart(sleeps: Sleeps) -> None:
    record = file_record()
    script = Script(
        httpx.Response(
            201, json={"id": "file_1", "state": "pending", "file": record, "upload": None}
        )
    )
    answer = run(
        script, sleeps, lambda c: c.upload_file(b"png", mime_type="image/png", filename="a.png")
    )
    assert answer == record
    assert script.requests[0].headers["Content-Type"].startswith("multipart/form-data")


def test_iter_files_follows_next_cursor(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(
            200, json={"data": [file_record(id="a")], "has_more": True, "next_cursor": "n1"}
        ),
        httpx.Response(
            200, json={"data": [file_record(id="b")], "has_more": False, "next_cursor": None}
        ),
    )

    async def call(client: AsyncClient) -> list[str]:
        return [f["id"] async for f in client.iter_files(state="ready")]

    assert run(script, sleeps, call) == ["a", "b"]
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "n1"]
    assert all(r.url.params["state"] == "ready" for r in script.requests)


def test_wait_file_ready_and_delete(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(200, json=file_record("pending")),
        httpx.Response(200, json=file_record("ready")),
        httpx.Response(204),
    )

    async def call(client: AsyncClient) -> str:
        file = await client.wait_file_ready("file_1", interval=3)
        await client.delete_file("file_1")
        return file["state"]

    assert run(script, sleeps, call) == "ready"
    assert sleeps.calls == [3]
    assert script.requests[-1].method == "DELETE"
