from __future__ import annotations

import numpy as np
import pytest

from studio.render import scene as scene_module
from studio.render.look import camera_at, look_for
from studio.render.scene import Scene


@pytest.mark.parametrize(
    "prompt",
    ["forest dolly in", "ocean orbit counterclockwise", "snow crane down", "city pan left"],
)
def test_skipping_transparent_rows_changes_no_pixel(
    prompt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    look = look_for(prompt)
    scene = Scene(look, 640, 360)
    poses = [camera_at(look, e) for e in (0.0, 0.5, 1.0)]
    fast = [scene.frame_small(cam) for cam in poses]
    # Every ridge drawn over the whole canvas, as if no row could be skipped.
    monkeypatch.setattr(scene_module, "_first_row", lambda *args: 0)
    full = [scene.frame_small(cam) for cam in poses]
    for a, b in zip(fast, full, strict=True):
        assert np.abs(a.astype(np.int16) - b.astype(np.int16)).max() <= 1


def test_ridges_cover_the_bottom_and_leave_the_sky() -> None:
    look = look_for("desert at dusk")
    frame = Scene(look, 640, 360).frame_small(camera_at(look, 0.5))
    assert frame.shape == (360, 640, 3) and frame.dtype == np.uint8
    near_land = np.asarray(look.colours[3])
    sky_top = np.asarray(look.colours[0])
    bottom = frame[-10:].reshape(-1, 3).mean(axis=0)
    top = frame[:10].reshape(-1, 3).mean(axis=0)
    assert np.abs(bottom - near_land).max() < np.abs(bottom - sky_top).max()
    assert np.abs(top - sky_top).max() < np.abs(top - near_land).max()
