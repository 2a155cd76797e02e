"""Uploads are checked by decoding and stored once per team by content hash."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from studio.generations.models import Asset
from tests.conftest import Personas
from tests.factories import png, write_mp4


@pytest.fixture
def editor(client: Client, personas: Personas) -> Client:
    client.force_login(personas.editor)
    return client


def post(client: Client, name: str, data: bytes, purpose: str = "image") -> tuple[int, dict]:
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    response = client.post(reverse("composer:upload"), {"file": upload, "purpose": purpose})
    return response.status_code, response.json()


def test_image_is_stored_once_and_served_to_the_team(editor: Client, personas: Personas) -> None:
    status, body = post(editor, "a.png", png(80, 40))
    assert status == 201
    assert (body["width"], body["height"], body["kind"]) == (80, 40, "image")
    assert editor.get(body["thumb_url"]).status_code == 200
    status, again = post(editor, "renamed.png", png(80, 40))
    assert again["id"] == body["id"] and Asset.objects.count() == 1


def test_type_comes_from_the_content(editor: Client) -> None:
    status, body = post(editor, "photo.png", b"GIF89a not really anything")
    assert status == 400
    assert "isn't a PNG, JPEG or WebP image" in body["error"]
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="JPEG")
    status, body = post(editor, "actually.png", out.getvalue())
    assert status == 201 and body["media_type"] == "image/jpeg"
    assert Asset.objects.count() == 1


def test_over_8000_px_is_refused(editor: Client) -> None:
    status, body = post(editor, "wide.png", png(8001, 2))
    assert status == 400
    assert body["error"] == "wide.png: The image is 8001×2 px: at most 8000 px per side."
    assert not Asset.objects.exists()


def test_truncated_image_is_refused(editor: Client) -> None:
    data = png(200, 200, (1, 2, 3))
    status, body = post(editor, "cut.png", data[: len(data) // 2])
    assert status == 400 and "could not be decoded" in body["error"]


def test_decompression_bomb_is_refused(editor: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # A small limit stands in for a huge image: the same guard, without allocating gigabytes.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    status, body = post(editor, "bomb.png", png(100, 100))
    assert status == 400 and "too many pixels" in body["error"]


def test_over_50_mb_is_refused_while_streaming(
    editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("studio.composer.assets.IMAGE_MAX_BYTES", 1000)
    status, body = post(editor, "big.png", png(200, 200, (9, 9, 9)) + b"\0" * 2000)
    assert status == 400 and "larger than" in body["error"]
    assert not Asset.objects.exists()


def test_video_sources_and_their_length_limits(editor: Client, tmp_path: Path) -> None:
    clip = write_mp4(tmp_path / "clip.mp4", frames=24, width=64, height=36).read_bytes()
    status, body = post(editor, "clip.mp4", clip, purpose="edit")
    assert status == 201 and body["kind"] == "video" and body["media_type"] == "video/mp4"
    status, body = post(editor, "clip.mp4", clip, purpose="image")
    assert status == 400


def test_edit_source_over_18_s(editor: Client, tmp_path: Path) -> None:
    # 19 s at 2 fps keeps the file tiny; the limit is about seconds, not frames.
    long = write_mp4(tmp_path / "long.mp4", frames=38, width=64, height=36, fps=2).read_bytes()
    status, body = post(editor, "long.mp4", long, purpose="edit")
    assert status == 400 and "at most 18 s" in body["error"]
    status, body = post(editor, "long.mp4", long, purpose="reframe")
    assert status == 201


def test_rejected_file_in_the_form_keeps_the_composition(
    editor: Client, image_asset: object
) -> None:
    kept = image_asset()  # type: ignore[operator]
    data = {
        "submit_token": "6d3c2b1a-0000-4000-8000-000000000001",
        "mode": "video",
        "prompt": "a kite over dunes",
        "resolution": "720p",
        "duration": "5s",
        "direction": "forward",
        "controls_mode": "auto",
        "end_frame": kept.id,
        "start_file": SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain"),
    }
    response = editor.post(reverse("composer:compose"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "notes.txt: That file isn&#x27;t a PNG, JPEG or WebP image." in page
    assert "a kite over dunes" in page
    assert f'name="end_frame" value="{kept.id}"' in page
