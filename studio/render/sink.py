"""Where rendered frames go: the MP4 (and EXR zip), with abort and progress hooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from studio.media.encode import VideoWriter
from studio.render.exr import ExrZipWriter
from studio.render.types import RenderAborted, RenderError, RenderJob


class FrameSink:
    """Counts frames, checks should_stop before each, reports progress after each."""

    def __init__(
        self,
        job: RenderJob,
        out_dir: Path,
        total: int,
        should_stop: Callable[[], bool] | None,
        progress: Callable[[float], None] | None,
    ) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.total = total
        self._stop = should_stop
        self._progress = progress
        self.video_path = out_dir / "video.mp4"
        self.exr_path = out_dir / "frames_exr.zip" if job.exr_export else None
        self._video = VideoWriter(self.video_path, job.width, job.height, fps=job.fps, hdr=job.hdr)
        self._exr = ExrZipWriter(self.exr_path, job.width, job.height) if self.exr_path else None
        self.count = 0

    def planes(self, rgb: np.ndarray) -> np.ndarray:
        """The encoder's planar YUV for a frame (safe to call from another thread)."""
        return self._video.planes(rgb)

    def check(self) -> None:
        if self._stop is not None and self._stop():
            raise RenderAborted("render stopped on request")

    def put(self, rgb: np.ndarray, planes: np.ndarray | None = None, *, key: bool = False) -> None:
        """Encode one frame; `planes` is its YUV from `planes()` if already made."""
        self.check()
        if self._exr is not None:
            # First, so a worker process converts it while this one encodes.
            self._exr.write(rgb)
        self._video.write_planes(self._video.planes(rgb) if planes is None else planes, key=key)
        self.count += 1
        if self._progress is not None:
            self._progress(min(1.0, self.count / self.total))

    def close(self) -> tuple[Path, Path | None]:
        if self.count == 0:
            raise RenderError("the render produced no frames")
        self._video.close()
        exr = self._exr.close() if self._exr else None
        return self.video_path, exr

    def abort(self) -> None:
        self._video.abort()
        if self._exr is not None:
            self._exr.abort()
