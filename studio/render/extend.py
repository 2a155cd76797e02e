"""Extend: join a prior clip with a new block that continues its motion.

Choice: the new block is a full `job.frames` block (121 for 5 s) whose seam frame
is the prior's own last (forward) or first (backward) frame, so it adds
`job.frames - 1` new frames: output length = prior frames + job.frames - 1.
The new frames carry on the prior's last measured camera motion (a similarity
transform from tracked features), easing out, plus a slight push-in, so the
step across the seam is the same size as the prior's own steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from studio.media.decode import iter_rgb
from studio.media.probe import MediaError, probe_video
from studio.render.fit import cover_fit
from studio.render.morph import Morph
from studio.render.types import RenderError, RenderJob

Frame = tuple[np.ndarray, bool]
_EASE = 0.98  # per-frame decay of the carried-on motion
_PUSH = 0.0005  # extra zoom per frame so a still prior clip still moves a little


def extend_length(job: RenderJob, prior_frames: int) -> int:
    return prior_frames + job.frames - 1


def _motion(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """3x3 similarity taking frame a to frame b (identity when it cannot be measured)."""
    ga = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    gb = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    eye = np.eye(3)
    pts = cv2.goodFeaturesToTrack(ga, maxCorners=300, qualityLevel=0.01, minDistance=8)
    if pts is None or len(pts) < 8:
        return eye
    # OpenCV takes None for an output array (it allocates one); its stubs do not say so.
    nxt, status, _err = cv2.calcOpticalFlowPyrLK(ga, gb, pts, None)  # type: ignore[call-overload]
    ok = status.reshape(-1) == 1
    if ok.sum() < 8:
        return eye
    m, _inliers = cv2.estimateAffinePartial2D(pts[ok], nxt[ok], method=cv2.RANSAC)
    if m is None:
        return eye
    return np.vstack([m, [0, 0, 1]])


def _steps(motion: np.ndarray, count: int, width: int, height: int) -> list[np.ndarray]:
    """Cumulative transforms for the new frames 1..count."""
    centre = np.array([[1, 0, width / 2], [0, 1, height / 2], [0, 0, 1]], dtype=np.float64)
    uncentre = np.linalg.inv(centre)
    out, total, eye = [], np.eye(3), np.eye(3)
    for k in range(1, count + 1):
        v = _EASE ** (k - 1)
        push = centre @ np.diag([1 + _PUSH, 1 + _PUSH, 1]) @ uncentre
        step = (eye + (motion - eye) * v) @ push
        total = step @ total
        out.append(total.copy())
    return out


def _warp(image: np.ndarray, m: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    return cv2.warpAffine(
        image, m[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )


def _prior(job: RenderJob) -> tuple[Path, int]:
    src = job.extend_source
    if src is None or not Path(src).exists():
        raise RenderError("extend: the prior clip is missing")
    try:
        facts = probe_video(Path(src))
    except MediaError as exc:
        raise RenderError(f"extend: the prior clip cannot be read: {exc}") from exc
    if facts.frames < 2:
        raise RenderError("extend: the prior clip is too short")
    return Path(src), facts.frames


def _prior_frames(job: RenderJob, path: Path) -> Iterator[np.ndarray]:
    try:
        for rgb in iter_rgb(path):
            yield cover_fit(rgb, job.width, job.height)
    except MediaError as exc:
        raise RenderError(f"extend: the prior clip cannot be decoded: {exc}") from exc


def extend_frames(job: RenderJob) -> tuple[int, Iterator[Frame]]:
    if job.extend_direction not in ("forward", "backward"):
        raise RenderError("extend: direction must be 'forward' or 'backward'")
    path, prior_count = _prior(job)
    new = job.frames - 1
    if job.extend_direction == "forward":
        return extend_length(job, prior_count), _forward(job, path, new)
    return extend_length(job, prior_count), _backward(job, path, new)


def _forward(job: RenderJob, path: Path, new: int) -> Iterator[Frame]:
    first = before = last = None
    for rgb in _prior_frames(job, path):
        if first is None:
            first = rgb
        before, last = last, rgb
        yield rgb, False
    if last is None or before is None or first is None:
        raise RenderError("extend: the prior clip is too short")
    if job.loop:
        # Loop the whole result: the new block morphs from the last frame into
        # the first, spacing its steps so the wrap is one more ordinary step.
        morph = Morph(last, first)
        for k in range(1, new + 1):
            yield morph.at(k / (new + 1)), False
        return
    for m in _steps(_motion(before, last), new, job.width, job.height):
        yield _warp(last, m), False


def _backward(job: RenderJob, path: Path, new: int) -> Iterator[Frame]:
    frames = _prior_frames(job, path)
    first = next(frames, None)
    second = next(frames, None)
    if first is None or second is None:
        raise RenderError("extend: the prior clip is too short")
    # Run the clip's opening motion backwards in time, then play it forwards.
    steps = _steps(_motion(second, first), new, job.width, job.height)
    for m in reversed(steps):
        yield _warp(first, m), False
    yield first, False
    yield second, False
    for rgb in frames:
        yield rgb, False
