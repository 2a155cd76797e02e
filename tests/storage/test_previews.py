"""Previews kept in the studio's storage: inputs staged there, the render's MP4 served
from it and swept from it, on disk and in a bucket (nothing left on this machine)."""

from __future__ import annotations

import base64
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from studio import mediastore
from studio.api.tokens import issue
from studio.previews import worker
from studio.previews.models import KEEP, Preview
from tests.conftest import Personas
from tests.factories import make_asset, picture, png_of
from tests.storage.conftest import Bucket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_preview_renders_from_and_into_the_store(
    backend: Bucket | None, client: Any, personas: Personas
) -> None:
    asset = make_asset(personas.team, personas.editor, png_of(picture(0)), name="k.png")
    inline = base64.b64encode(png_of(picture(1))).decode()
    request = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a paper boat",
        "video": {
            "resolution": "360p",
            "duration": "5s",
            "start_frame": {"file_id": f"asset:{asset.id}"},
            "end_frame": {"data": inline, "media_type": "image/png"},
        },
    }
    headers = {"Authorization": f"Bearer {issue(personas.editor, personas.team, 'tests')[1]}"}
    started = client.post(
        reverse("api:previews"),
        json.dumps({"request": request}),
        content_type="application/json",
        headers=headers,
    )
    assert started.status_code == 202, started.content
    preview_id = started.json()["id"]
    before = {p.name for p in Path(tempfile.gettempdir()).glob(f"{mediastore.SCRATCH_PREFIX}*")}

    assert worker.process_one("storage-tests")
    record = client.get(reverse("api:preview", args=[preview_id]), headers=headers).json()
    assert record["state"] == "ready", record
    answer = client.get(record["url"], headers=headers)
    video_name = Preview.objects.get(id=preview_id).media_name
    if backend is None:
        assert answer.status_code == 200 and answer["Content-Type"] == "video/mp4"
    else:
        assert answer.status_code == 302
        served = httpx.get(answer["Location"], timeout=30)
        assert served.status_code == 200 and served.content == backend.read(video_name)
        # Minted for a download: the store names the file as the studio would.
        assert served.headers["Content-Disposition"] == (
            f'attachment; filename="preview-{preview_id}.mp4"'
        )
        staged = {k for k in backend.objects() if k.startswith(f"previews/{preview_id}/")}
        assert f"previews/{preview_id}/inputs/01.bin" in staged and video_name in staged
        assert not (Path(settings.MEDIA_ROOT) / "previews").exists()
        after = {p.name for p in Path(tempfile.gettempdir()).glob(f"{mediastore.SCRATCH_PREFIX}*")}
        assert after - before == set()

    made = timezone.now() - timedelta(days=1, minutes=1)
    Preview.objects.filter(id=preview_id).update(created_at=made, expires_at=made + KEEP)
    assert worker.sweep() == 1
    if backend is None:
        assert not (Path(settings.MEDIA_ROOT) / "previews" / preview_id).exists()
    else:
        assert not any(k.startswith("previews/") for k in backend.objects())
