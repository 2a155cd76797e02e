from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from studio.client import ApiError, Client, UncertainSubmission

from .conftest import API_KEY, BASE_URL, Script, Sleeps, file_record

UPLOAD_URL = "https://bucket.storage.test/uploads/file_2?X-Sig=abc"


def make_client(script: Script, sleeps: Sleeps, **kwargs: object) -> Client:
    return Client(BASE_URL, API_KEY, transport=script.transport(), sleep=sleeps, **kwargs)


def created(record: dict[str, object], upload: dict[str, object] | None = None) -> httpx.Response:
    body = {"id": record["id"], "state": record["state"], "file": record, "upload": upload}
    return httpx.Response(201, json=body)


def presigned_router(record: dict[str, object], put_steps: list[httpx.Response | type]) -> Script:
    """Answers the JSON create, the PUT (scripted), the complete and a delete."""
    puts = Script(*put_steps)
    upload = {
        "url": UPLOAD_URL,
        "method": "PUT",
        "headers": {"Content-Type": "video/mp4", "x-amz-acl": "private"},
        "expires_at": "2026-05-26T13:00:00Z",
    }

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "bucket.storage.test":
            return puts(request)
        if request.method == "POST" and request.url.path == "/v1/files":
            return created(record, upload)
        if request.method == "POST" and request.url.path.endswith("/complete"):
            return httpx.Response(200, json={**record, "state": "pending"})
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(500)

    return Script(route)


def test_small_file_goes_inline_as_multipart(sleeps: Sleeps, tmp_path: Path) -> None:
    path = tmp_path / "still.png"
    path.write_bytes(b"\x89PNG fake image bytes")
    script = Script(created(file_record(filename="still.png")))
    answer = make_client(script, sleeps).upload_file(path, mime_type="image/png", user_id="u-7")
    assert answer["id"] == "file_1"
    assert len(script.requests) == 1
    request = script.requests[0]
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/files")
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    body = request.content
    assert b'name="file"; filename="still.png"' in body
    assert b"Content-Type: image/png" in body
    assert b"\x89PNG fake image bytes" in body
    assert b'name="purpose"\r\n\r\nreference' in body
    assert b'name="user_id"\r\n\r\nu-7' in body


def test_large_file_goes_through_a_presigned_put(sleeps: Sleeps, tmp_path: Path) -> None:
    path = tmp_path / "source.mp4"
    payload = bytes(range(256)) * 40  # 10,240 bytes, over the 4 KiB limit below
    path.write_bytes(payload)
    record = file_record(id="file_2", mime_type="video/mp4", purpose="input")
    script = presigned_router(record, [httpx.Response(200)])
    client = make_client(script, sleeps, multipart_limit=4096)
    answer = client.upload_file(path, mime_type="video/mp4", purpose="input")
    assert answer["id"] == "file_2"

    create, put, complete = script.requests
    assert json.loads(create.content) == {
        "mime_type": "video/mp4",
        "size_bytes": len(payload),
        "purpose": "input",
        "filename": "source.mp4",
    }
    assert (put.method, str(put.url)) == ("PUT", UPLOAD_URL)
    assert put.content == payload
    assert put.headers["Content-Length"] == str(len(payload))
    assert put.headers["x-amz-acl"] == "private"
    assert "Authorization" not in put.headers
    assert "Transfer-Encoding" not in put.headers
    assert (complete.method, str(complete.url)) == ("POST", f"{BASE_URL}/files/file_2/complete")
    assert complete.headers["Authorization"] == f"Bearer {API_KEY}"


def test_the_size_limit_is_inclusive(sleeps: Sleeps) -> None:
    script = Script(created(file_record()))
    make_client(script, sleeps, multipart_limit=10).upload_file(
        b"0123456789", mime_type="image/png"
    )
    assert script.requests[0].headers["Content-Type"].startswith("multipart/form-data")


def test_presigned_put_is_retried_from_the_start(sleeps: Sleeps) -> None:
    payload = b"x" * 5000
    record = file_record(id="file_2")
    script = presigned_router(record, [httpx.Response(503), httpx.Response(200)])
    make_client(script, sleeps, multipart_limit=100).upload_file(payload, mime_type="image/png")
    puts = [r for r in script.requests if r.method == "PUT"]
    assert [p.content for p in puts] == [payload, payload]


def test_failed_put_deletes_the_pending_file(sleeps: Sleeps) -> None:
    record = file_record(id="file_2")
    script = presigned_router(record, [httpx.Response(403, text="SignatureDoesNotMatch")])
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps, multipart_limit=100).upload_file(
            b"y" * 500, mime_type="image/png"
        )
    assert info.value.status == 403
    assert info.value.detail == "SignatureDoesNotMatch"
    assert [(r.method, r.url.path) for r in script.requests] == [
        ("POST", "/v1/files"),
        ("PUT", "/uploads/file_2"),
        ("DELETE", "/v1/files/file_2"),
    ]


def test_file_create_is_never_resent_after_a_timeout(sleeps: Sleeps) -> None:
    script = Script(httpx.ReadTimeout, created(file_record()))
    with pytest.raises(UncertainSubmission):
        make_client(script, sleeps).upload_file(b"abc", mime_type="image/png")
    assert len(script.requests) == 1


def test_bad_uploads_are_refused_before_sending(sleeps: Sleeps, tmp_path: Path) -> None:
    script = Script(created(file_record()))
    client = make_client(script, sleeps)
    with pytest.raises(ValueError, match="empty"):
        client.upload_file(b"", mime_type="image/png")
    with pytest.raises(ValueError, match="mime_type"):
        client.upload_file(b"abc", mime_type="png")
    with pytest.raises(FileNotFoundError):
        client.upload_file(tmp_path / "missing.png", mime_type="image/png")
    assert script.requests == []


def test_list_files_sends_the_filters(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(200, json={"data": [], "has_more": False, "next_cursor": None}))
    make_client(script, sleeps).list_files(limit=10, purpose="input", state="ready")
    assert dict(script.requests[0].url.params) == {
        "limit": "10",
        "purpose": "input",
        "state": "ready",
    }
    with pytest.raises(ValueError, match="limit"):
        make_client(script, sleeps).list_files(limit=101)


def test_iter_files_follows_next_cursor(sleeps: Sleeps) -> None:
    pages = [
        {
            "data": [file_record(id="f1"), file_record(id="f2")],
            "has_more": True,
            "next_cursor": "c1",
        },
        {"data": [file_record(id="f3")], "has_more": True, "next_cursor": "c2"},
        {"data": [file_record(id="f4")], "has_more": False, "next_cursor": None},
    ]
    script = Script(*(httpx.Response(200, json=page) for page in pages))
    ids = [f["id"] for f in make_client(script, sleeps).iter_files(limit=2)]
    assert ids == ["f1", "f2", "f3", "f4"]
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "c1", "c2"]


def test_iter_files_refuses_a_cursor_loop(sleeps: Sleeps) -> None:
    page = {"data": [file_record()], "has_more": True, "next_cursor": "same"}
    script = Script(httpx.Response(200, json=page))
    with pytest.raises(ApiError, match="repeated cursor"):
        list(make_client(script, sleeps).iter_files())
    assert len(script.requests) == 2


def test_delete_file_answers_none(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(204))
    assert make_client(script, sleeps).delete_file("file_1") is None
    assert (script.requests[0].method, script.requests[0].url.path) == (
        "DELETE",
        "/v1/files/file_1",
    )


def test_delete_retried_after_a_lost_answer_accepts_404(sleeps: Sleeps) -> None:
    script = Script(httpx.ReadTimeout, httpx.Response(404, json={"detail": "File not found"}))
    assert make_client(script, sleeps).delete_file("file_1") is None
    assert len(script.requests) == 2


def test_delete_of_a_missing_file_raises(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(404, json={"detail": "File not found"}))
    with pytest.raises(ApiError) as info:
        make_client(script, sleeps).delete_file("nope")
    assert info.value.status == 404


def test_wait_file_ready_polls_until_a_final_state(sleeps: Sleeps) -> None:
    script = Script(
        httpx.Response(200, json=file_record("pending")),
        httpx.Response(200, json=file_record("pending")),
        httpx.Response(200, json=file_record("failed", failure_reason="corrupt_input")),
    )
    answer = make_client(script, sleeps).wait_file_ready("file_1", interval=1.5)
    assert answer["state"] == "failed"
    assert sleeps.calls == [1.5, 1.5]


def test_wait_file_ready_gives_up_at_the_timeout(sleeps: Sleeps) -> None:
    script = Script(httpx.Response(200, json=file_record("pending")))
    with pytest.raises(ApiError, match="still 'pending'"):
        make_client(script, sleeps).wait_file_ready("file_1", timeout=6, interval=2)
    assert sleeps.calls == [2, 2, 2]
    assert len(script.requests) == 4
