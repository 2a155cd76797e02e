"""The EXR export: one half-float DWAB EXR per frame (ACES2065-1, scene-linear), zipped.

DWAB compression costs about as much CPU per frame as the whole rest of the
render, and the OpenEXR binding holds the GIL while it works, so a thread
cannot overlap it with anything. Frames are therefore converted and written
by worker processes (forked from a small server that has this module loaded);
the zip is assembled in frame order at the end. Where worker processes cannot
be started, frames are written in this process instead. The workers end with the
process that owns the pool, however it ends (``studio.lifeline``).
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import tempfile
import zipfile
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import OpenEXR

from studio import lifeline
from studio.media.colour import AP0_CHROMATICITIES, rgb8_to_linear_ap0
from studio.media.files import atomic_path

_CHROMATICITIES = tuple(v for xy in AP0_CHROMATICITIES for v in xy)
# Frames waiting for a worker, at most: bounds memory when the workers fall behind.
_IN_FLIGHT_PER_WORKER = 3


def write_exr(path: str, rgb: np.ndarray, width: int, height: int) -> None:
    """Write one frame (full or half size, sRGB uint8) as a DWAB half-float ACES EXR."""
    # OpenCV's float16 conversion is vectorised; NumPy's astype is ~4x slower.
    # (OpenCV takes a number as an operand; its stubs want an array.)
    ap0 = cv2.multiply(rgb8_to_linear_ap0(rgb, (width, height)), 1.0, dtype=cv2.CV_16F)  # type: ignore[call-overload]
    header = {
        "compression": OpenEXR.DWAB_COMPRESSION,
        "type": OpenEXR.scanlineimage,
        "chromaticities": _CHROMATICITIES,
    }
    OpenEXR.File(header, {"RGB": ap0}).write(path)


def _pool(workers: int) -> Executor | None:
    try:
        ctx = multiprocessing.get_context("forkserver")
        # Workers fork from a server that already imported this module, so each
        # starts in milliseconds; the server is started once per process.
        ctx.set_forkserver_preload([__name__])
        # The workers' parent is the fork server, not us: they follow us by pid.
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=lifeline.exit_with,
            initargs=(os.getpid(),),
        )
    except (OSError, ValueError, AssertionError):
        # e.g. inside a daemonic process, which may not have children.
        return None


class ExrZipWriter:
    """Frames go to worker processes as they come; `close()` zips them and publishes."""

    def __init__(self, dest: Path, width: int, height: int, *, workers: int | None = None) -> None:
        self.dest = dest
        self.width, self.height = width, height
        self._atomic = atomic_path(dest)
        self._tmp = self._atomic.__enter__()
        self._dir = tempfile.TemporaryDirectory(dir=dest.parent, prefix=".exr-")
        n = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._pool = _pool(n) if n > 0 else None
        self._limit = max(1, n) * _IN_FLIGHT_PER_WORKER
        self._pending: collections.deque[Future] = collections.deque()
        self._names: list[str] = []

    def write(self, rgb: np.ndarray) -> None:
        name = f"frame_{len(self._names):06d}.exr"
        path = str(Path(self._dir.name) / name)
        self._names.append(name)
        if self._pool is None:
            write_exr(path, rgb, self.width, self.height)
            return
        try:
            self._pending.append(self._pool.submit(write_exr, path, rgb, self.width, self.height))
        except (RuntimeError, OSError):
            # The pool broke (a worker died) or cannot start (e.g. its fork server's
            # socket path is too long for the temp folder): carry on in this process.
            self._pool = None
            write_exr(path, rgb, self.width, self.height)
            return
        while len(self._pending) > self._limit:
            self._pending.popleft().result()

    def close(self) -> Path:
        while self._pending:
            self._pending.popleft().result()
        self._shutdown()
        # DWAB is already compressed: storing avoids deflating twice for nothing.
        with zipfile.ZipFile(self._tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for name in self._names:
                zf.write(Path(self._dir.name) / name, name)
        self._dir.cleanup()
        self._atomic.__exit__(None, None, None)
        return self.dest

    def abort(self) -> None:
        for fut in self._pending:
            fut.cancel()
        self._pending.clear()
        with contextlib.suppress(Exception):
            self._shutdown()
        with contextlib.suppress(Exception):
            self._dir.cleanup()
        exc = RuntimeError("aborted")
        with contextlib.suppress(RuntimeError):
            self._atomic.__exit__(type(exc), exc, None)

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
