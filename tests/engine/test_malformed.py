"""Malformed input to the engine API: a 4xx with the contract's words, never a 500.

Each test here answered 500 (or, for the prompt, was accepted and counted against the
rate limit) before the input parsers were shared.
"""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from studio.contract import FAILURE_REASONS, MODEL
from studio.engine.models import EngineFile, EngineGeneration, RateEvent
from studio.engine.testing import run_pending_renders

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<rect width="64" height="64" fill="red"/></svg>'
)
TEXT_INVALID = "must be valid Unicode text (no lone surrogates or NUL characters)"


def _post_raw(api: httpx.Client, path: str, text: str) -> httpx.Response:
    # "\ud800" travels as a JSON escape: UTF-8 itself cannot carry a lone surrogate.
    body = text.encode("utf-8", "surrogatepass")
    return api.post(path, content=body, headers={"Content-Type": "application/json"})


def _body(**fields: object) -> dict[str, object]:
    return {"model": MODEL, "type": "video", "prompt": "a paper boat", **fields}


def _stored_files() -> list[Path]:
    folder = Path(settings.ENGINE_MEDIA_ROOT) / "files"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("prompt", ["\ud800", "a paper \udfff boat", "a\x00b"])
def test_a_prompt_that_is_not_text_is_refused_at_the_door(api: httpx.Client, prompt: str) -> None:
    response = _post_raw(api, "/generations", json.dumps(_body(prompt=prompt)))
    assert response.status_code == 400
    assert response.json() == {"detail": f"prompt: {TEXT_INVALID}"}
    # Nothing recorded, nothing counted against the key's rate limit.
    assert not EngineGeneration.objects.exists()
    assert not RateEvent.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"model":' * 50 + '"ray-3.2"' + "}" * 50,
    ],
)
def test_deeply_nested_bodies_are_400(api: httpx.Client, text: str) -> None:
    for path in ("/generations", "/files"):
        response = _post_raw(api, path, text)
        assert response.status_code == 400
        assert response.json() == {"detail": "body: must not nest more than 32 levels deep"}


def test_an_image_url_with_control_characters_is_refused(api: httpx.Client) -> None:
    ref = {"url": "http://exa\nmple.com/a.png"}
    body = _body(video={"keyframes": [ref], "keyframe_indexes": [0]})
    response = api.post("/generations", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "video.keyframes[0].url: must be a URL without spaces or control characters"
    }


def test_an_svg_upload_fails_and_leaves_nothing_pending_on_disk(api: httpx.Client) -> None:
    response = api.post("/files", files={"file": ("drawing.svg", SVG, "image/svg+xml")})
    assert response.status_code == 201
    answer = response.json()
    assert answer["state"] == "failed"
    assert answer["file"]["failure_reason"] == FAILURE_REASONS["unsupported_format"]
    assert not EngineFile.objects.filter(state=EngineFile.State.PENDING).exists()
    assert EngineFile.objects.get().path == ""
    assert _stored_files() == []


def test_an_svg_edit_source_fails_the_render_not_the_request(api: httpx.Client) -> None:
    source = {"data": base64.b64encode(SVG).decode(), "media_type": "video/mp4"}
    response = api.post("/generations", json=_body(type="video_edit", source=source))
    assert response.status_code == 201
    assert run_pending_renders() == 1
    state = api.get(f"/generations/{response.json()['id']}").json()
    assert (state["state"], state["failure_code"]) == ("failed", "corrupt_input")


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"filename": "a\ud800.png"}, f"filename: {TEXT_INVALID}"),
        ({"mime_type": "image/\ud800"}, f"mime_type: {TEXT_INVALID}"),
        ({"expires_at": "2026-02-30T00:00:00Z"}, "expires_at: invalid value"),
        ({"expires_at": "9999-12-31T23:59:59-05:00"}, "expires_at: invalid value"),
        ({"mime_type": "image/png\r\nX-Forged: 1"}, "mime_type: must be a string"),
    ],
)
def test_file_fields_that_cannot_be_kept_are_400(
    api: httpx.Client, fields: dict[str, str], detail: str
) -> None:
    body = {"mime_type": "image/png", "size_bytes": 10, **fields}
    response = _post_raw(api, "/files", json.dumps(body))
    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert not EngineFile.objects.exists()


def test_an_inline_upload_with_an_overlong_mime_type_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/files",
        data={"mime_type": "image/" + "x" * 300},
        files={"file": ("a.png", b"\x89PNG", "image/png")},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "mime_type: must be a string"}
    assert not EngineFile.objects.exists() and _stored_files() == []


def test_a_cursor_naming_a_moment_past_utc_is_400(api: httpx.Client) -> None:
    forged = f"9999-12-31T23:59:59-05:00|{uuid.uuid4()}"
    cursor = base64.urlsafe_b64encode(forged.encode()).decode()
    response = api.get("/files", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"detail": "cursor: invalid value"}
