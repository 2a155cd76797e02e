"""The composer's Preview button in a real browser: the local engine's draft plays beside
the timeline, and its keyframes sit at their frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from studio.generations.models import Asset, Generation
from studio.previews import worker
from studio.previews.models import Preview
from tests.factories import picture, png_of
from tests.previews.conftest import decoded_frames, difference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_preview_plays_with_its_keyframes_at_their_frames(page: Any, tmp_path: Path) -> None:
    paths = []
    for n in range(3):
        path = tmp_path / f"key-{n}.png"
        path.write_bytes(png_of(picture(n)))
        paths.append(str(path))
    page.fill("#id_prompt", "three cards dealt on a table")
    page.set_input_files("#id_keyframes-pick", paths)
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 3")
    keys = json.loads(page.input_value("#id_keyframes"))

    page.click("#preview-button")
    page.wait_for_function(
        "() => document.getElementById('preview-status').textContent.includes('Waiting')"
    )
    # The engine worker's step, as `make run` runs it in the background.
    assert worker.process_one("browser-tests")
    page.wait_for_function(
        "() => { const v = document.getElementById('preview-player');"
        " return !v.closest('[hidden]') && v.currentTime > 0 && !v.paused; }",
        timeout=20000,
    )
    assert "local preview" in page.locator("#preview-figure").inner_text()
    assert page.locator("#preview-status").inner_text() == "Local preview ready."

    # The MP4 the page plays: each keyframe's image at its frame index.
    preview = Preview.objects.get()
    frames = decoded_frames((Path(settings.MEDIA_ROOT) / preview.media_name).read_bytes())
    assert frames[0].shape == (360, 640, 3)
    for key in keys:
        name = Asset.objects.get(id=key["asset"]).original_name
        n = int(name.removeprefix("key-").removesuffix(".png"))
        assert difference(frames[key["frame"]], picture(n)) < 8, key
    assert Generation.objects.count() == 0
