from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.media import (
    MediaError,
    poster_frame,
    probe_video,
    sdr_preview,
    strip_layout,
    thumbnail_strip,
)
from studio.media.decode import iter_rgb
from studio.render import RenderJob, render


@pytest.fixture(scope="module")
def sdr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = RenderJob(kind="video", prompt="sunset ocean", width=640, height=360, frames=25)
    return render(job, tmp_path_factory.mktemp("sdr")).video


@pytest.fixture(scope="module")
def hdr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    job = RenderJob(
        kind="video", prompt="sunset ocean", width=1280, height=720, frames=13, hdr=True
    )
    return render(job, tmp_path_factory.mktemp("hdr")).video


def test_probe_reads_the_facts(sdr: Path, hdr: Path) -> None:
    s = probe_video(sdr)
    assert (s.width, s.height, s.fps, s.frames, s.codec, s.pix_fmt, s.hdr) == (
        640, 360, 24.0, 25, "h264", "yuv420p", False,
    )  # fmt: skip
    assert abs(s.duration_s - 25 / 24) < 0.05
    h = probe_video(hdr)
    assert (h.codec, h.pix_fmt, h.hdr, h.frames) == ("hevc", "yuv420p10le", True, 13)


def test_probe_refuses_what_is_not_a_video(tmp_path: Path) -> None:
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"hello" * 100)
    with pytest.raises(MediaError):
        probe_video(bad)
    still = tmp_path / "still.png"
    Image.new("RGB", (8, 8)).save(still)
    assert probe_video(still).frames == 1  # an image decodes as one frame; callers check length


def test_poster_frame_is_a_sized_jpeg(sdr: Path, tmp_path: Path) -> None:
    dest = poster_frame(sdr, tmp_path / "p.jpg", at=0.5, max_width=320)
    with Image.open(dest) as im:
        assert im.format == "JPEG" and im.size == (320, 180)
    # Past the end: the last frame, not an error.
    assert poster_frame(sdr, tmp_path / "end.jpg", at=99).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_hdr_poster_is_tone_mapped_like_the_sdr_picture(
    sdr: Path, hdr: Path, tmp_path: Path
) -> None:
    sdr_img = np.asarray(
        Image.open(poster_frame(sdr, tmp_path / "s.jpg", max_width=640)), np.float64
    )
    hdr_img = np.asarray(
        Image.open(poster_frame(hdr, tmp_path / "h.jpg", max_width=640)), np.float64
    )
    # Same prompt, same scene: a sensible tone map lands close to the SDR render,
    # where a raw PQ signal shown as sRGB would be washed out and far brighter.
    assert abs(hdr_img.mean() - sdr_img.mean()) < 12


def test_thumbnail_strip_has_count_tiles(sdr: Path, tmp_path: Path) -> None:
    dest = thumbnail_strip(sdr, tmp_path / "strip.jpg", count=5, height=45)
    layout = strip_layout(640, 360, count=5, tile_height=45)
    with Image.open(dest) as im:
        assert im.size == (layout.width, 45) == (400, 45)
    strip = np.asarray(Image.open(dest), np.float64)
    frames = list(iter_rgb(sdr))
    first = np.asarray(Image.fromarray(frames[0]).resize((80, 45)), np.float64)
    assert np.abs(strip[:, :80] - first).mean() < 8


def test_sdr_preview_of_hdr_is_h264_with_the_same_frames(hdr: Path, tmp_path: Path) -> None:
    dest = sdr_preview(hdr, tmp_path / "preview.mp4")
    facts = probe_video(dest)
    assert (facts.codec, facts.pix_fmt, facts.hdr, facts.frames, facts.fps) == (
        "h264", "yuv420p", False, 13, 24.0,
    )  # fmt: skip
    assert (facts.width, facts.height) == (1280, 720)


def test_failed_preview_leaves_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 500)
    with pytest.raises(MediaError):
        sdr_preview(bad, tmp_path / "out.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4"]
