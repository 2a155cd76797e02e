"""Derived media of a kept video: facts, poster, thumbnail strip, SDR preview for HDR."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image

from studio.client import Download
from studio.generations.models import Generation, Output
from studio.generations.poller import outputs


def keep(generation: Generation, clip: Path) -> Output:
    dest = outputs.folder_of(generation) / "video.mp4"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(clip, dest)
    data = dest.read_bytes()
    return outputs.keep_download(
        generation, "video", Download(dest, len(data), hashlib.sha256(data).hexdigest())
    )


def test_sdr_video_gets_facts_poster_and_strip(make_generation: Any, sdr_clip: Path) -> None:
    generation = make_generation(state="completed")
    video = keep(generation, sdr_clip)
    assert video.file.name == f"outputs/{generation.id.hex}/video.mp4"

    outputs.derive(generation)

    video.refresh_from_db()
    assert (video.width, video.height, video.frames, video.fps) == (320, 180, 12, 24.0)
    assert (video.codec, video.hdr) == ("h264", False)
    generation.refresh_from_db()
    assert generation.duration_s == video.meta["duration_s"] > 0
    kinds = set(generation.outputs.values_list("kind", flat=True))
    assert kinds == {"video", "poster", "thumbs"}  # no preview for SDR
    thumbs = generation.outputs.get(kind="thumbs")
    strip = Image.open(Path(settings.MEDIA_ROOT) / thumbs.file.name)
    assert strip.size == (thumbs.meta["count"] * thumbs.meta["tile_width"], 90)
    assert thumbs.meta["tile_width"] == 160
    poster = generation.outputs.get(kind="poster")
    assert Image.open(Path(settings.MEDIA_ROOT) / poster.file.name).size == (320, 180)
    assert len(poster.sha256) == 64


def test_hdr_video_also_gets_an_h264_sdr_preview(make_generation: Any, hdr_clip: Path) -> None:
    generation = make_generation(state="completed", hdr=True)
    keep(generation, hdr_clip)
    outputs.derive(generation)
    video = generation.outputs.get(kind="video")
    preview = generation.outputs.get(kind="preview")
    assert (video.codec, video.hdr) == ("hevc", True)
    assert (preview.codec, preview.hdr, preview.frames) == ("h264", False, 12)
    # The original stays, untouched, for download.
    assert (Path(settings.MEDIA_ROOT) / video.file.name).read_bytes() == hdr_clip.read_bytes()


def test_derive_resumes_without_redoing_kept_files(make_generation: Any, sdr_clip: Path) -> None:
    generation = make_generation(state="completed")
    keep(generation, sdr_clip)
    outputs.derive(generation)
    poster = generation.outputs.get(kind="poster")
    generation.outputs.filter(kind="thumbs").delete()
    outputs.derive(generation)
    assert generation.outputs.get(kind="poster").created_at == poster.created_at
    assert generation.outputs.filter(kind="thumbs").exists()


def test_sweep_removes_only_temporary_files(make_generation: Any) -> None:
    generation = make_generation(state="completed")
    folder = outputs.folder_of(generation)
    folder.mkdir(parents=True)
    (folder / ".video.mp4.abc.part").write_bytes(b"half")
    (folder / ".poster-x.jpg").write_bytes(b"half")
    (folder / "video.mp4").write_bytes(b"whole")
    assert outputs.sweep_leftovers(generation) == 2
    assert [p.name for p in folder.iterdir()] == ["video.mp4"]
