"""Still images from a video: a poster frame and a hover-scrub thumbnail strip."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from studio.media.decode import iter_frames
from studio.media.files import atomic_path
from studio.media.probe import MediaError, probe_video

JPEG_QUALITY = 85


def _save_jpeg(rgb: np.ndarray, dest: Path) -> Path:
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        Image.fromarray(rgb).save(tmp, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return dest


def _fit_width(rgb: np.ndarray, max_width: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if w <= max_width:
        return rgb
    nh = max(1, round(h * max_width / w))
    return cv2.resize(rgb, (max_width, nh), interpolation=cv2.INTER_AREA)


def poster_frame(video: Path, dest: Path, *, at: float = 0.0, max_width: int = 1280) -> Path:
    """A JPEG of the frame shown at `at` seconds (the last frame if `at` is past the end).

    HDR (PQ) video is tone-mapped to SDR on the way.
    """
    if max_width < 1:
        raise ValueError("max_width must be positive")
    chosen = None
    for _t, rgb in iter_frames(Path(video), start_s=max(0.0, at)):
        chosen = rgb
        break
    if chosen is None:
        # Past the end: fall back to the last frame there is.
        for _t, rgb in iter_frames(Path(video)):
            chosen = rgb
    if chosen is None:
        raise MediaError("the video has no frames")
    return _save_jpeg(_fit_width(chosen, max_width), dest)


@dataclass(frozen=True)
class StripLayout:
    """Where each tile lies in a thumbnail strip: tile i spans x = i*tile_width."""

    count: int
    tile_width: int
    tile_height: int

    @property
    def width(self) -> int:
        return self.count * self.tile_width


def strip_layout(width: int, height: int, *, count: int = 10, tile_height: int = 90) -> StripLayout:
    tile_width = max(1, round(width * tile_height / height))
    return StripLayout(count=count, tile_width=tile_width, tile_height=tile_height)


def thumbnail_strip(video: Path, dest: Path, *, count: int = 10, height: int = 90) -> Path:
    """One JPEG sprite of `count` evenly spaced frames side by side, each `height` px tall.

    Tiles are `strip_layout(...)`.tile_width wide (image width / count).
    """
    if count < 1 or height < 1:
        raise ValueError("count and height must be positive")
    facts = probe_video(Path(video))
    layout = strip_layout(facts.width, facts.height, count=count, tile_height=height)
    # Evenly spaced, first and last frame included.
    wanted = np.linspace(0, facts.frames - 1, count).round().astype(int).tolist()
    sheet = np.zeros((layout.tile_height, layout.width, 3), np.uint8)
    slot, last = 0, None
    for i, (_t, rgb) in enumerate(iter_frames(Path(video))):
        last = rgb
        while slot < count and wanted[slot] == i:
            tile = cv2.resize(
                rgb, (layout.tile_width, layout.tile_height), interpolation=cv2.INTER_AREA
            )
            sheet[:, slot * layout.tile_width : (slot + 1) * layout.tile_width] = tile
            slot += 1
    if last is None:
        raise MediaError("the video has no frames")
    # A container that over-counts its frames: repeat the last one decoded.
    while slot < count:
        tile = cv2.resize(
            last, (layout.tile_width, layout.tile_height), interpolation=cv2.INTER_AREA
        )
        sheet[:, slot * layout.tile_width : (slot + 1) * layout.tile_width] = tile
        slot += 1
    return _save_jpeg(sheet, dest)
