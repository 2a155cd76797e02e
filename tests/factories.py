"""Rows and files for tests: generations with their outputs, assets, comments, and small
real media (PNG images, H.264 and HDR clips).

Plain functions: a test calls what it needs and passes the personas it builds them for.
Everything is real (decodable media, rows saved through the models or the services), so
a test over these exercises what production code sees.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
import numpy as np
from django.conf import settings
from PIL import Image

from studio.composer.assets import store_bytes
from studio.contract import FPS
from studio.generations.models import Asset, Generation, Output
from studio.render.exr import write_exr

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from studio.review.models import Comment
    from studio.teams.models import Team

__all__ = [
    "FPS",
    "PALETTES",
    "add_hdr_media",
    "add_media",
    "gradient_png",
    "make_asset",
    "make_comment",
    "make_generation",
    "picture",
    "png",
    "png_of",
    "write_mp4",
    "write_png",
    "write_video",
]

Colour = tuple[int, int, int]


# --- Images ---------------------------------------------------------------------------


def png_of(rgb: np.ndarray) -> bytes:
    """An RGB array as PNG bytes."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def png(width: int = 64, height: int = 36, colour: Colour = (200, 80, 40)) -> bytes:
    """A PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def gradient_png(width: int = 64, height: int = 36, colour: Colour = (200, 80, 40)) -> bytes:
    """A PNG with a horizontal gradient in green, so a fitted frame has structure to compare."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[...] = colour
    pixels[..., 1] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
    return png_of(pixels)


# Four quadrants per picture, each a different colour: a decoded frame matches one only.
PALETTES: list[list[Colour]] = [
    [(230, 40, 40), (40, 230, 40), (40, 40, 230), (230, 230, 40)],
    [(40, 230, 230), (230, 40, 230), (250, 250, 250), (20, 20, 20)],
    [(120, 60, 20), (20, 120, 60), (60, 20, 120), (200, 140, 90)],
    [(90, 200, 140), (140, 90, 200), (200, 90, 140), (10, 120, 220)],
]


def picture(n: int, width: int = 640, height: int = 360) -> np.ndarray:
    """Picture ``n`` (see PALETTES) as an RGB array."""
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    quads = PALETTES[n % len(PALETTES)]
    h, w = height // 2, width // 2
    rgb[:h, :w], rgb[:h, w:], rgb[h:, :w], rgb[h:, w:] = quads
    return rgb


def write_png(
    path: Path, width: int = 160, height: int = 90, colour: Colour = (90, 60, 160)
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png(width, height, colour))
    return path


# --- Videos ---------------------------------------------------------------------------


def write_mp4(
    path: Path, frames: int = 48, width: int = 320, height: int = 180, fps: int = FPS
) -> Path:
    """A small H.264 clip whose frames differ (a bar moves one step per frame); it lasts
    ``frames / fps`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "g": "1"}
        bar = min(8, width)
        for i in range(frames):
            rgb = np.full((height, width, 3), 40, dtype=np.uint8)
            x = int(i * (width - bar) / max(1, frames - 1))
            rgb[:, x : x + bar] = (255, 200, 0)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_video(
    dest: Path, *, width: int = 320, height: int = 180, frames: int = 12, hdr: bool = False
) -> Path:
    """A small moving gradient, encoded as the engine encodes its outputs (H.264, or
    HEVC HDR10)."""
    from studio.media.encode import VideoWriter

    ramp = np.linspace(0, 255, width, dtype=np.float32)
    with VideoWriter(dest, width, height, fps=FPS, hdr=hdr) as writer:
        for i in range(frames):
            shade = (ramp + i * 10) % 256
            rgb = np.empty((height, width, 3), np.uint8)
            rgb[..., 0] = shade[None, :]
            rgb[..., 1] = (i * 20) % 256
            rgb[..., 2] = np.linspace(0, 255, height, dtype=np.uint8)[:, None]
            writer.write(rgb)
    return dest


# --- Rows -----------------------------------------------------------------------------

PROMPT = "A slow dolly shot through a misty greenhouse at sunrise"


def make_generation(team: Team, author: User | None, **fields: Any) -> Generation:
    """A completed 5 s, 720p video of ``team`` unless ``fields`` say otherwise."""
    values: dict[str, Any] = {
        "prompt": PROMPT,
        "state": Generation.State.COMPLETED,
        "resolution": "720p",
        "duration": "5s",
        "price": Decimal("0.30"),
        "request": {
            "model": "ray-3.2",
            "type": "video",
            "prompt": fields.get("prompt", PROMPT),
            "video": {"resolution": fields.get("resolution", "720p"), "duration": "5s"},
        },
    }
    values.update(fields)
    if values["state"] in ("queued", "processing", "completed", "failed"):
        values.setdefault("remote_id", uuid.uuid4())
    return Generation.objects.create(team=team, author=author, **values)


def add_media(generation: Generation, frames: int = 48) -> dict[str, Output]:
    """A real playable video, a poster and a thumbnail strip, as the poller keeps them."""
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


def make_asset(
    team: Team,
    user: User,
    data: bytes | None = None,
    *,
    name: str = "",
    want: str = "image",
    purpose: str | None = None,
) -> Asset:
    """An upload of ``team``, stored as the composer stores one (a PNG unless ``data``)."""
    return store_bytes(
        png() if data is None else data,
        team=team,
        user=user,
        name=name,
        want=want,
        purpose=purpose,
    )


def make_comment(
    generation: Generation,
    author: User,
    body: str = "A note on this frame",
    *,
    frame: int | None = 0,
    **fields: Any,
) -> Comment:
    """A comment posted as a member posts one (through the review service)."""
    from studio.review.services import add_comment

    return add_comment(generation, body, frame=frame, author=author, **fields)
