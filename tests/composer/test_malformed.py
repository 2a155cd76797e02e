"""Malformed composer input: undecodable uploads, ids past the database's range, malformed
UUIDs in query strings and forms. Each answered 500 before; now a 4xx or the page with
the reason, and nothing is recorded."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from studio.generations.models import Asset, Generation
from tests.conftest import Personas
from tests.factories import add_media, make_generation

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<rect width="64" height="64" fill="red"/></svg>'
)
TOO_BIG = "9223372036854775808"  # one past the largest BigAutoField id


@pytest.fixture
def editor(client: Client, personas: Personas) -> Client:
    client.force_login(personas.editor)
    return client


@pytest.mark.parametrize("purpose", ["edit", "reframe"])
def test_an_svg_source_is_refused_with_a_reason(editor: Client, purpose: str) -> None:
    upload = SimpleUploadedFile("drawing.svg", SVG, content_type="image/svg+xml")
    response = editor.post(reverse("composer:upload"), {"file": upload, "purpose": purpose})
    assert response.status_code == 400
    assert "neither an image nor a usable video" in response.json()["error"]
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "source=not-a-uuid&action=edit",
        "source=12345678-1234-5678-1234-56781234567&action=extend_forward",
        "frame_from=not-a-uuid",
        "frame_from=%ED%A0%80",
    ],
)
def test_a_malformed_generation_id_in_a_prefill_link_is_404(editor: Client, query: str) -> None:
    response = editor.get(f"{reverse('composer:compose')}?{query}")
    assert response.status_code == 404


@pytest.mark.parametrize("frame", [TOO_BIG, "9" * 5000, "²", "2147483648"])
def test_a_frame_number_past_any_clip_is_explained(
    editor: Client, personas: Personas, frame: str
) -> None:
    clip = make_generation(personas.team, personas.editor)
    add_media(clip, frames=24)
    response = editor.get(f"{reverse('composer:compose')}?frame_from={clip.id}&frame={frame}")
    assert response.status_code == 200
    assert "The frame number must be a whole number from 0." in response.content.decode()
    assert not Asset.objects.exists()


def test_a_malformed_parent_is_404_and_records_nothing(editor: Client) -> None:
    response = editor.post(
        reverse("composer:compose"), {"parent": "not-a-uuid", "prompt": "a paper boat"}
    )
    assert response.status_code == 404
    assert not Generation.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"start_frame": TOO_BIG},
        {"end_frame": "9" * 5000},
        {"guide_frame": "²", "mode": "edit"},
        {"keyframes": json.dumps([{"asset": 2**63, "frame": 0}])},
        {"source": "a:²", "mode": "reframe"},
    ],
)
def test_asset_ids_past_the_database_range_are_form_errors(
    editor: Client, fields: dict[str, str]
) -> None:
    data = {"mode": "video", "prompt": "a paper boat", "resolution": "720p", **fields}
    response = editor.post(reverse("composer:compose"), data)
    assert response.status_code == 400
    assert not Generation.objects.exists()
