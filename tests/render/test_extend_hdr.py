from __future__ import annotations

import zipfile
from pathlib import Path

import av
import numpy as np
import OpenEXR
import pytest

from studio.render import Anchor, RenderJob, probe_video, render
from studio.render.extend import extend_frames
from tests.render.helpers import frames_of, mad, neighbour_diffs, picture, psnr

W, H = 640, 360


@pytest.fixture(scope="module")
def prior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = RenderJob(kind="video", prompt="desert pan right", width=W, height=H, frames=121)
    return render(job, tmp_path_factory.mktemp("prior")).video


def _extend(prior: Path, direction: str, loop: bool = False) -> RenderJob:
    return RenderJob(
        kind="video", prompt="desert", width=W, height=H, frames=121,
        extend_source=prior, extend_direction=direction, loop=loop,
    )  # fmt: skip


def _seam_ok(frames: list[np.ndarray], a: int, b: int) -> bool:
    # No visible jump: the seam step is no rougher than the prior's own steps
    # (its largest, plus 10 %); a cut or a pose jump is many times that.
    return mad(frames[a], frames[b]) <= 1.1 * max(neighbour_diffs(frames[:121]))


def test_forward_extend_continues_after_the_last_frame(prior: Path, tmp_path: Path) -> None:
    total, gen = extend_frames(_extend(prior, "forward"))
    frames = [f for f, _key in gen]
    assert total == len(frames) == 121 + 120
    assert _seam_ok(frames, 120, 121)
    video = render(_extend(prior, "forward"), tmp_path).video
    assert probe_video(video).frames == 241
    assert psnr(frames_of(video)[60], frames_of(prior)[60]) >= 35  # the prior is kept


def test_backward_extend_leads_into_the_first_frame(prior: Path) -> None:
    total, gen = extend_frames(_extend(prior, "backward"))
    frames = [f for f, _key in gen]
    assert total == len(frames) == 241
    original = frames_of(prior)
    assert psnr(frames[120], original[0]) >= 60  # the prior starts where the new block ends
    assert mad(frames[119], frames[120]) <= 1.1 * max(neighbour_diffs(original))


def test_looped_forward_extend_wraps_to_the_start(prior: Path) -> None:
    _total, gen = extend_frames(_extend(prior, "forward", loop=True))
    frames = [f for f, _key in gen]
    diffs = neighbour_diffs(frames)
    assert mad(frames[-1], frames[0]) <= 1.1 * max(diffs)


@pytest.fixture(scope="module")
def hdr(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, np.ndarray]:
    # HDR is offered at 720p and up; 13 frames keep the test quick.
    pin = picture("ocean", 1280, 720)
    job = RenderJob(
        kind="video", prompt="ocean", width=1280, height=720, frames=13, hdr=True, exr_export=True,
        anchors=[Anchor(6, pin)],
    )  # fmt: skip
    result = render(job, tmp_path_factory.mktemp("hdr"))
    assert result.exr_zip is not None
    return result.video, result.exr_zip, pin


def test_hdr_is_hevc_main10_pq_bt2020_with_hdr10_metadata(
    hdr: tuple[Path, Path, np.ndarray],
) -> None:
    video, _zip, _pin = hdr
    facts = probe_video(video)
    assert (facts.codec, facts.pix_fmt, facts.hdr, facts.frames) == (
        "hevc",
        "yuv420p10le",
        True,
        13,
    )
    with av.open(str(video)) as c:
        ctx = c.streams.video[0].codec_context
        assert (ctx.color_trc, ctx.colorspace, ctx.color_primaries, ctx.profile) == (
            16,
            9,
            9,
            "Main 10",
        )
        frame = next(c.decode(video=0))
        kinds = [str(k) for k in list(frame.side_data.keys())]
        assert any("MASTERING_DISPLAY" in k for k in kinds) and any(
            "CONTENT_LIGHT" in k for k in kinds
        )
    raw = video.read_bytes()
    assert b"mdcv" in raw and b"clli" in raw  # the MP4 boxes, not only the SEI


def test_hdr_keeps_the_sdr_look_and_pins_the_anchor(hdr: tuple[Path, Path, np.ndarray]) -> None:
    video, _zip, pin = hdr
    # Decoding tone-maps PQ back to SDR: white at 203 nits returns close to the
    # original picture (the tone curve only bends the top fifth of the range).
    assert psnr(frames_of(video)[6], pin) >= 30


def test_exr_zip_holds_aces_half_dwab_frames(
    hdr: tuple[Path, Path, np.ndarray], tmp_path: Path
) -> None:
    _video, exr_zip, pin = hdr
    with zipfile.ZipFile(exr_zip) as z:
        names = sorted(z.namelist())
        assert len(names) == 13
        z.extract(names[6], tmp_path)
    f = OpenEXR.File(str(tmp_path / names[6]))
    header = f.header()
    assert header["compression"] == OpenEXR.DWAB_COMPRESSION
    red_x, red_y = header["chromaticities"][:2]
    assert abs(red_x - 0.7347) < 1e-3 and abs(red_y - 0.2653) < 1e-3  # AP0
    rgb = f.channels()["RGB"].pixels
    assert rgb.dtype == np.float16 and rgb.shape == (720, 1280, 3)
    # Scene-linear: the bright white square sits near 1.0, mid greys far below 0.5.
    assert 0.7 < float(rgb[260:300, 450:500].mean()) < 1.1
