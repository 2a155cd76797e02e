"""Where rendered frames go: the MP4 (and EXR zip), with abort and progress hooks."""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import OpenEXR

from studio.media.colour import AP0_CHROMATICITIES, rgb8_to_linear_ap0
from studio.media.encode import VideoWriter
from studio.media.files import atomic_path
from studio.render.types import RenderAborted, RenderError, RenderJob

_CHROMATICITIES = tuple(v for xy in AP0_CHROMATICITIES for v in xy)


class ExrZipWriter:
    """One half-float DWAB EXR per frame (ACES2065-1, scene-linear), stored in a zip."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self._atomic = atomic_path(dest)
        tmp = self._atomic.__enter__()
        self._zip = zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED)
        self._dir = tempfile.TemporaryDirectory(dir=dest.parent, prefix=".exr-")
        self._count = 0

    def write(self, rgb: np.ndarray) -> None:
        ap0 = rgb8_to_linear_ap0(rgb).astype(np.float16)
        header = {
            "compression": OpenEXR.DWAB_COMPRESSION,
            "type": OpenEXR.scanlineimage,
            "chromaticities": _CHROMATICITIES,
        }
        name = f"frame_{self._count:06d}.exr"
        path = Path(self._dir.name) / name
        OpenEXR.File(header, {"RGB": ap0}).write(str(path))
        # DWAB is already compressed: storing avoids deflating twice for nothing.
        self._zip.write(path, name)
        path.unlink()
        self._count += 1

    def close(self) -> Path:
        self._zip.close()
        self._dir.cleanup()
        self._atomic.__exit__(None, None, None)
        return self.dest

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._zip.close()
        with contextlib.suppress(Exception):
            self._dir.cleanup()
        exc = RuntimeError("aborted")
        with contextlib.suppress(RuntimeError):
            self._atomic.__exit__(type(exc), exc, None)


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
        self._exr = ExrZipWriter(self.exr_path) if self.exr_path else None
        self.count = 0

    def put(self, rgb: np.ndarray, *, key: bool = False) -> None:
        if self._stop is not None and self._stop():
            raise RenderAborted("render stopped on request")
        self._video.write(rgb, key=key)
        if self._exr is not None:
            self._exr.write(rgb)
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
