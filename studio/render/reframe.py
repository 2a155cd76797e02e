"""type "video_reframe": place the source in a new canvas and outpaint the rest.

The exposed area is filled from the source's own edges: the placed picture is
extended by mirroring past its borders, then blurred strongly (at 1/8 size, so
it is cheap), and the sharp source is laid over its rectangle unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from studio.render.edit import decoded, source_facts
from studio.render.types import RenderError, RenderJob

Frame = tuple[np.ndarray, bool]


def placement(job: RenderJob, src_w: int, src_h: int) -> tuple[int, int, int, int]:
    """The source rectangle (x, y, w, h) in canvas pixels, rounded to whole pixels."""
    cw, ch = job.width, job.height
    if job.source_position is None:
        scale = min(cw / src_w, ch / src_h)
        w, h = round(src_w * scale), round(src_h * scale)
        return (cw - w) // 2, (ch - h) // 2, w, h
    xn, yn, wn, hn = job.source_position
    if wn <= 0 or hn <= 0:
        raise RenderError("video.source_position: w_norm and h_norm must be positive")
    x, y, w, h = round(xn * cw), round(yn * ch), max(1, round(wn * cw)), max(1, round(hn * ch))
    if x >= cw or y >= ch or x + w <= 0 or y + h <= 0:
        raise RenderError("video.source_position: the source would lie entirely outside the canvas")
    return x, y, w, h


def place(rgb: np.ndarray, rect: tuple[int, int, int, int], width: int, height: int) -> np.ndarray:
    x, y, w, h = rect
    sh, sw = rgb.shape[:2]
    m = np.array(
        [[w / sw, 0, x + 0.5 * w / sw - 0.5], [0, h / sh, y + 0.5 * h / sh - 0.5]], dtype=np.float64
    )
    extended = cv2.warpAffine(
        rgb, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    small = cv2.resize(
        extended, (max(4, width // 8), max(4, height // 8)), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), 3.0)
    out = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    # The source itself, resized directly, so its rectangle is exactly the placed source.
    interp = cv2.INTER_AREA if w < sw else cv2.INTER_CUBIC
    sharp = cv2.resize(rgb, (w, h), interpolation=interp)
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    out[y0:y1, x0:x1] = sharp[y0 - y : y1 - y, x0 - x : x1 - x]
    return out


def reframe_frames(job: RenderJob) -> tuple[int, Iterator[Frame]]:
    source, count = source_facts(job.source, "source")

    def frames() -> Iterator[Frame]:
        rect = None
        for rgb in decoded(source, "source"):
            if rect is None:
                rect = placement(job, rgb.shape[1], rgb.shape[0])
            yield place(rgb, rect, job.width, job.height), False

    return count, frames()
