"""type "video": text-only scenes, anchored morphs, loops."""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np

from studio.render.fit import cover_fit
from studio.render.look import Camera, Look, affine, camera_at, look_for
from studio.render.morph import Morph
from studio.render.scene import Scene
from studio.render.types import Anchor, RenderError, RenderJob

Frame = tuple[np.ndarray, bool]  # (RGB frame, force an intra frame); see types.Frame


def fitted_anchors(
    anchors: list[Anchor], frames: int, width: int, height: int, what: str
) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for n, anchor in enumerate(anchors):
        if not 0 <= anchor.index < frames:
            raise RenderError(f"{what}[{n}]: index {anchor.index} is outside 0..{frames - 1}")
        if anchor.index in out:
            raise RenderError(f"{what}[{n}]: index {anchor.index} is used twice")
        out[anchor.index] = cover_fit(anchor.image, width, height)
    return out


def move_progress(i: int, frames: int, loop: bool) -> float:
    if loop:
        # Periodic: the camera returns to its start pose one frame after the last.
        return (1.0 - math.cos(2 * math.pi * i / frames)) / 2
    t = i / max(1, frames - 1)
    return t * t * (3 - 2 * t)


def text_frames(job: RenderJob, look: Look) -> Iterator[Frame]:
    scene = Scene(look, job.width, job.height)
    for i in range(job.frames):
        # Half-size for big canvases: the sink upsamples (see Scene.frame_small).
        yield scene.frame_small(camera_at(look, move_progress(i, job.frames, job.loop))), False


def drift(image: np.ndarray, look: Look, k: float) -> np.ndarray:
    """A gentle push-in from `image` (k=0: the image itself). Zooming in never exposes an edge."""
    h, w = image.shape[:2]
    scale = 1.0 + 0.12 * k
    cam = Camera(scale=scale, tx=-look.direction * 0.35 * (scale - 1.0))
    return cv2.warpAffine(
        image, affine(cam, 1.0, w, h), (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )


def anchored_frames(job: RenderJob, look: Look) -> Iterator[Frame]:
    pins = fitted_anchors(job.anchors, job.frames, job.width, job.height, "anchors")
    order = sorted(pins)
    n = job.frames
    morph: Morph | None = None
    morph_key: tuple[int, int] | None = None
    if job.loop and len(order) == 1:
        # One pin in a loop: push in and back out, periodic over the clip.
        pin = order[0]
        for i in range(n):
            yield (
                pins[pin] if i == pin else drift(pins[pin], look, move_progress(i - pin, n, True)),
                i == pin,
            )
        return
    for i in range(n):
        if i in pins:
            yield pins[i], True
            continue
        prev = max((a for a in order if a < i), default=None)
        nxt = min((a for a in order if a > i), default=None)
        if job.loop:
            # The clip wraps: after the last pin comes the first one again, one clip later.
            if nxt is None:
                nxt = order[0] + n
            if prev is None:
                prev = order[-1] - n
        if prev is not None and nxt is not None:
            if morph_key != (prev, nxt):
                morph = Morph(pins[prev % n], pins[nxt % n])
                morph_key = (prev, nxt)
            assert morph is not None  # made above for the first pair of pins
            yield morph.at((i - prev) / (nxt - prev)), False
        elif nxt is not None:
            yield drift(pins[nxt], look, (nxt - i) / n), False
        else:
            assert prev is not None  # a frame between no pins: there are no pins at all
            yield drift(pins[prev], look, (i - prev) / n), False


def video_frames(job: RenderJob) -> Iterator[Frame]:
    look = look_for(job.prompt, job.seed)
    if job.anchors:
        return anchored_frames(job, look)
    return text_frames(job, look)
