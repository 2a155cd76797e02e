"""Small real media and generation rows for the review tests (no poller needed)."""

from __future__ import annotations

import io
import uuid
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from django.conf import settings
from PIL import Image

from studio.generations.models import Generation, Output
from studio.render.exr import write_exr

FPS = 24


def write_mp4(path: Path, frames: int = 48, width: int = 320, height: int = 180) -> Path:
    """A tiny H.264 clip whose frames differ (a bar moves one step per frame)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.options = {"preset": "ultrafast", "g": "1"}
        for i in range(frames):
            rgb = np.full((height, width, 3), 40, dtype=np.uint8)
            x = int(i * (width - 8) / max(1, frames - 1))
            rgb[:, x : x + 8] = (255, 200, 0)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_png(
    path: Path, width: int = 160, height: int = 90, colour: tuple = (90, 60, 160)
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def make_generation(team: Any, author: Any, **fields: Any) -> Generation:
    defaults: dict[str, Any] = {
        "prompt": "A slow dolly shot through a misty greenhouse at sunrise",
        "state": Generation.State.COMPLETED,
        "resolution": "720p",
        "duration": "5s",
        "price": Decimal("0.30"),
        "request": {
            "model": "ray-3.2",
            "type": "video",
            "prompt": fields.get(
                "prompt", "A slow dolly shot through a misty greenhouse at sunrise"
            ),
            "video": {"resolution": fields.get("resolution", "720p"), "duration": "5s"},
        },
    }
    defaults.update(fields)
    if defaults["state"] in ("queued", "processing", "completed", "failed"):
        defaults.setdefault("remote_id", uuid.uuid4())
    return Generation.objects.create(team=team, author=author, **defaults)


def add_media(generation: Generation, frames: int = 48) -> dict[str, Output]:
    """A real playable video, a poster and a thumbnail strip, as the poller would keep them."""
    root = Path(settings.MEDIA_ROOT)
    base = f"outputs/test/{generation.id}"
    video = write_mp4(root / f"{base}/video.mp4", frames=frames)
    poster = write_png(root / f"{base}/poster.png")
    thumbs = write_png(root / f"{base}/thumbs.png", width=160 * 5, height=90)
    outputs = {
        "video": Output.objects.create(
            generation=generation,
            kind="video",
            file=f"{base}/video.mp4",
            size_bytes=video.stat().st_size,
            width=320,
            height=180,
            fps=FPS,
            frames=frames,
            codec="h264",
        ),
        "poster": Output.objects.create(
            generation=generation,
            kind="poster",
            file=f"{base}/poster.png",
            size_bytes=poster.stat().st_size,
            width=160,
            height=90,
        ),
        "thumbs": Output.objects.create(
            generation=generation,
            kind="thumbs",
            file=f"{base}/thumbs.png",
            size_bytes=thumbs.stat().st_size,
            width=800,
            height=90,
            meta={"tile_width": 160, "tile_height": 90, "count": 5},
        ),
    }
    Generation.objects.filter(pk=generation.pk).update(outputs_ready=True, duration_s=frames / FPS)
    return outputs


def add_hdr_media(generation: Generation, frames: int = 24) -> dict[str, Output]:
    """An HDR clip as the poller keeps one: the master (marked HDR), its SDR browser
    preview, a poster, a thumbnail strip and a zip of real EXR frames."""
    outputs = add_media(generation, frames=frames)
    root = Path(settings.MEDIA_ROOT)
    base = f"outputs/test/{generation.id}"
    preview = write_mp4(root / f"{base}/preview.mp4", frames=frames)
    exr_frame = root / f"{base}/frame_0000.exr"
    write_exr(str(exr_frame), np.full((90, 160, 3), 128, dtype=np.uint8), 160, 90)
    exr_zip = root / f"{base}/frames.zip"
    with zipfile.ZipFile(exr_zip, "w") as archive:
        archive.write(exr_frame, "frame_0000.exr")
    Output.objects.filter(pk=outputs["video"].pk).update(hdr=True, codec="hevc")
    outputs["video"].refresh_from_db()
    outputs["preview"] = Output.objects.create(
        generation=generation,
        kind="preview",
        file=f"{base}/preview.mp4",
        size_bytes=preview.stat().st_size,
        width=320,
        height=180,
        fps=FPS,
        frames=frames,
        codec="h264",
    )
    outputs["exr"] = Output.objects.create(
        generation=generation,
        kind="exr",
        file=f"{base}/frames.zip",
        size_bytes=exr_zip.stat().st_size,
    )
    Generation.objects.filter(pk=generation.pk).update(hdr=True, exr_export=True)
    generation.refresh_from_db()
    return outputs
