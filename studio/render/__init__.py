"""The CPU renderer behind the local engine: real videos, no model weights.

`render(job, out_dir)` writes `out_dir/video.mp4` (and `out_dir/frames_exr.zip`
with `exr_export`) atomically and returns their paths. See each kind's module
for what it does: generate (video), extend, edit, reframe.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from studio.media.probe import VideoFacts, probe_video
from studio.render.edit import edit_frames
from studio.render.extend import extend_frames
from studio.render.generate import video_frames
from studio.render.pipeline import prepared
from studio.render.reframe import reframe_frames
from studio.render.sink import FrameSink
from studio.render.types import KINDS, Anchor, RenderAborted, RenderError, RenderJob, RenderResult

__all__ = [
    "Anchor",
    "RenderAborted",
    "RenderError",
    "RenderJob",
    "RenderResult",
    "VideoFacts",
    "plan_frames",
    "probe_video",
    "render",
]


def _check(job: RenderJob) -> None:
    if job.kind not in KINDS:
        raise RenderError(f"unknown kind '{job.kind}'")
    if job.width < 16 or job.height < 16 or job.width % 2 or job.height % 2:
        raise RenderError(f"output size {job.width}x{job.height} must be even and at least 16x16")
    if job.frames < 2 and job.kind == "video":
        raise RenderError("a video needs at least 2 frames")
    if job.fps <= 0:
        raise RenderError("fps must be positive")
    if job.exr_export and not job.hdr:
        raise RenderError("video.exr_export: requires video.hdr")


def plan_frames(job: RenderJob) -> tuple[int, Iterator[tuple[np.ndarray, bool]]]:
    """(frame count, the frames as (RGB, force-intra) pairs) without encoding anything.

    A frame is at the output size or exactly half of it (see types.Frame).
    """
    if job.kind == "video_edit":
        return edit_frames(job)
    if job.kind == "video_reframe":
        return reframe_frames(job)
    if job.extend_source is not None:
        return extend_frames(job)
    return job.frames, video_frames(job)


def render(
    job: RenderJob,
    out_dir: Path,
    *,
    scratch: Path | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> RenderResult:
    """Render `job` into `out_dir`. Raises RenderError (bad input) or RenderAborted.

    Everything in progress (partial MP4s, EXR frames) is written in the `scratch` folder
    (made fresh; by default a dot-named one inside `out_dir`; it must be on the same
    file system), and only finished files are moved into `out_dir`. The scratch folder
    is removed however the render ends, short of the process being killed: then its
    owner sweeps it (the engine: studio.engine.scratch).
    """
    _check(job)
    total, frames = plan_frames(job)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if scratch is None:
        work = Path(tempfile.mkdtemp(prefix=".render-", dir=out_dir))
    else:
        work = Path(scratch)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    try:
        sink = FrameSink(job, work, total, should_stop, progress)
        try:
            sink.check()
            made = prepared(frames, sink.planes)
            try:
                for rgb, planes, key in made:
                    sink.put(rgb, planes, key=key)
            finally:
                made.close()  # stops the producer thread if the loop ended early
            video, exr = sink.close()
        except BaseException:
            sink.abort()
            raise
        published = [_publish(path, out_dir) for path in (video, exr) if path is not None]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RenderResult(video=published[0], exr_zip=published[1] if exr is not None else None)


def _publish(path: Path, out_dir: Path) -> Path:
    dest = out_dir / path.name
    os.replace(path, dest)  # a rename: the scratch folder is on the same file system
    return dest
