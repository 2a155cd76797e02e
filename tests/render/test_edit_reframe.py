from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.render import Anchor, RenderAborted, RenderError, RenderJob, probe_video, render
from studio.render.edit import Stylist, amount_for
from studio.render.look import look_for
from tests.render.helpers import frames_of, picture, psnr

W, H = 640, 360


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = RenderJob(kind="video", prompt="forest pan", width=W, height=H, frames=49)
    return render(job, tmp_path_factory.mktemp("src")).video


def _edit(source: Path, **kw: object) -> RenderJob:
    return RenderJob(
        kind="video_edit", prompt="snowy night", width=W, height=H, frames=0, source=source, **kw
    )


def test_adhere_stays_closer_to_the_source_than_reimagine(source: Path, tmp_path: Path) -> None:
    src = frames_of(source)
    scores = {}
    for strength in ("adhere_1", "flex_2", "reimagine_3"):
        out = frames_of(render(_edit(source, edit_strength=strength), tmp_path / strength).video)
        assert len(out) == len(src) == 49
        scores[strength] = np.mean([psnr(a, b) for a, b in zip(out[::8], src[::8], strict=True)])
    assert scores["adhere_1"] > scores["flex_2"] > scores["reimagine_3"]
    assert scores["adhere_1"] > 25  # barely changed


def test_structure_controls_pull_reimagine_back() -> None:
    pic = picture("city", W, H)
    look = look_for("snowy night")
    controls = {
        "depth": {"enabled": True, "blur": 0.0},
        "pose": {"enabled": True, "strength": "precise"},
    }
    free = Stylist(look, amount_for("reimagine_3"), {}, W, H, seed=1)
    held = Stylist(look, amount_for("reimagine_3"), controls, W, H, seed=1)
    still = Stylist(look, amount_for("reimagine_3"), {}, W, H, seed=1)
    still.disp = 0.0  # the same look with no displacement: the source's own geometry
    reference = still.apply(pic, 10)
    assert psnr(held.apply(pic, 10), reference) > psnr(free.apply(pic, 10), reference) + 3


def test_edit_keyframes_are_exact(source: Path, tmp_path: Path) -> None:
    pin = picture("ocean", 800, 450)
    job = _edit(source, edit_strength="reimagine_1", edit_anchors=[Anchor(20, pin)])
    out = frames_of(render(job, tmp_path).video)
    assert psnr(out[20], cv2.resize(pin, (W, H), interpolation=cv2.INTER_AREA)) >= 35


def test_reframe_places_the_source_and_fills_around_it(source: Path, tmp_path: Path) -> None:
    job = RenderJob(
        kind="video_reframe", prompt="", width=360, height=640, frames=0, source=source,
        source_position=(0.0, 0.25, 1.0, 0.28125),
    )  # fmt: skip
    video = render(job, tmp_path).video
    facts = probe_video(video)
    assert (facts.width, facts.height, facts.frames) == (360, 640, 49)
    out, src = frames_of(video), frames_of(source)
    placed = cv2.resize(src[10], (360, 180), interpolation=cv2.INTER_AREA)
    assert psnr(out[10][160:340], placed) >= 35
    # The exposed area is an outpaint from the source's edges, not black bars.
    assert out[10][:150].mean() > 20 and out[10][360:].mean() > 20


def test_reframe_default_is_a_centred_fit(source: Path, tmp_path: Path) -> None:
    job = RenderJob(kind="video_reframe", prompt="", width=480, height=480, frames=0, source=source)
    out = frames_of(render(job, tmp_path).video)
    src = frames_of(source)
    placed = cv2.resize(src[0], (480, 270), interpolation=cv2.INTER_AREA)
    assert psnr(out[0][105:375], placed) >= 35


def test_undecodable_source_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video" * 10)
    out_dir = tmp_path / "out"
    with pytest.raises(RenderError, match="source"):
        render(_edit(bad), out_dir)
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_bad_anchor_index_is_a_clear_error(tmp_path: Path) -> None:
    job = RenderJob(
        kind="video",
        prompt="",
        width=W,
        height=H,
        frames=121,
        anchors=[Anchor(121, picture("x", W, H))],
    )
    with pytest.raises(RenderError, match="outside 0..120"):
        render(job, tmp_path)
    assert not any(tmp_path.iterdir())


def test_should_stop_aborts_and_publishes_nothing(tmp_path: Path) -> None:
    seen: list[float] = []
    job = RenderJob(kind="video", prompt="ocean", width=320, height=180, frames=121)
    with pytest.raises(RenderAborted):
        render(job, tmp_path, should_stop=lambda: len(seen) >= 10, progress=seen.append)
    assert seen[:2] == [1 / 121, 2 / 121]
    assert not any(tmp_path.iterdir())
