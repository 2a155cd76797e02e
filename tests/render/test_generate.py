from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from studio.render import Anchor, RenderJob, probe_video, render
from studio.render.generate import video_frames
from tests.render.helpers import frames_of, mad, neighbour_diffs, picture, psnr

W, H, N = 640, 360, 121


@pytest.fixture(scope="module")
def text_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = RenderJob(
        kind="video", prompt="a forest at sunset, slow dolly in", width=W, height=H, frames=N
    )
    return render(job, tmp_path_factory.mktemp("text")).video


def test_text_clip_has_the_exact_shape(text_clip: Path) -> None:
    facts = probe_video(text_clip)
    assert (facts.width, facts.height, facts.frames, facts.fps) == (W, H, N, 24.0)
    assert (facts.codec, facts.pix_fmt, facts.hdr) == ("h264", "yuv420p", False)
    with av.open(str(text_clip)) as c:
        assert sum(1 for _ in c.decode(video=0)) == N


def test_text_clip_moves_and_is_not_noise(text_clip: Path) -> None:
    frames = frames_of(text_clip)
    diffs = neighbour_diffs(frames)
    assert np.median(diffs) > 0.05  # the camera moves
    # A picture, not noise: neighbouring pixels are alike.
    f = frames[60].astype(np.int16)
    assert np.mean(np.abs(np.diff(f, axis=1))) < 4


def test_same_job_renders_identically(tmp_path: Path) -> None:
    job = RenderJob(
        kind="video", prompt="night ocean pan left", width=320, height=180, frames=13, seed=7
    )
    a = [f for f, _key in video_frames(job)]
    b = [f for f, _key in video_frames(job)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    # x264's threaded encode may round a few pixels differently between runs;
    # the decoded videos still match far beyond what an eye could tell apart.
    va = frames_of(render(job, tmp_path / "a").video)
    vb = frames_of(render(job, tmp_path / "b").video)
    assert psnr(va[0], vb[0]) >= 50
    other = frames_of(render(RenderJob(**{**job.__dict__, "seed": 8}), tmp_path / "c").video)
    assert psnr(va[0], other[0]) < 30  # and the seed matters


def test_prompt_words_choose_the_palette(tmp_path: Path) -> None:
    def mean_colour(prompt: str) -> np.ndarray:
        job = RenderJob(kind="video", prompt=prompt, width=320, height=180, frames=3)
        return frames_of(render(job, tmp_path / prompt.replace(" ", "_")).video)[0].mean(
            axis=(0, 1)
        )

    night, sunset = mean_colour("night"), mean_colour("sunset")
    assert night.sum() < sunset.sum()  # night is darker
    assert sunset[0] > sunset[2]  # sunset is warm: more red than blue


def test_anchors_are_exact_and_between_them_it_moves(tmp_path: Path) -> None:
    pics = {
        0: picture("ocean", W, H),
        50: picture("desert", 800, 600),
        120: picture("snow", W, H, 0.8),
    }
    job = RenderJob(
        kind="video",
        prompt="",
        width=W,
        height=H,
        frames=N,
        anchors=[Anchor(i, p) for i, p in pics.items()],
    )
    video = render(job, tmp_path).video
    frames = frames_of(video)
    assert len(frames) == N
    from studio.render.fit import cover_fit

    for index, pic in pics.items():
        assert psnr(frames[index], cover_fit(pic, W, H)) >= 35
    # In between it is neither of the ends.
    mid = frames[25]
    assert psnr(mid, frames[0]) < 35 and psnr(mid, frames[50]) < 35


def _seam_bound(diffs: list[float]) -> float:
    # The wrap must look like one more ordinary step. Steps vary along the clip
    # (the camera eases in and out), so the bound is the largest ordinary step
    # plus 10 % -- a jump (a cut or a pose mismatch) is many times that.
    return 1.1 * max(diffs)


def test_loop_seam_is_as_smooth_as_the_clip() -> None:
    job = RenderJob(kind="video", prompt="city orbit", width=W, height=H, frames=N, loop=True)
    frames = [f for f, _key in video_frames(job)]
    diffs = neighbour_diffs(frames)
    assert mad(frames[-1], frames[0]) <= _seam_bound(diffs)
    assert max(diffs) > 0.1  # it does move


def test_loop_with_a_start_frame_comes_back_to_it(tmp_path: Path) -> None:
    start = picture("forest", W, H)
    job = RenderJob(
        kind="video", prompt="", width=W, height=H, frames=N, loop=True, anchors=[Anchor(0, start)]
    )
    frames = [f for f, _key in video_frames(job)]
    diffs = neighbour_diffs(frames)
    assert mad(frames[-1], frames[0]) <= _seam_bound(diffs)
    assert max(diffs) > 0.1
    video = frames_of(render(job, tmp_path).video)
    assert len(video) == N and psnr(video[0], start) >= 35
