"""Overlap making frames with encoding them: a producer thread feeds a short queue.

The producer runs the frame generator (decode, warp, morph...) and converts each
frame to the encoder's planar YUV; the calling thread encodes, writes the EXR
export and runs the caller's should_stop/progress hooks (which may touch a
database connection that belongs to that thread). OpenCV, NumPy and the encoder
release the GIL for their heavy work, so both cores stay busy.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator

import numpy as np

Frame = tuple[np.ndarray, bool]
Prepared = tuple[np.ndarray, np.ndarray, bool]  # (RGB frame, YUV planes, key)
# Frames made ahead of the encoder, at most: enough to ride out jitter in either
# stage, few enough that a 1080p render's memory stays small.
_DEPTH = 4


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prepared(
    frames: Iterator[Frame], to_planes: Callable[[np.ndarray], np.ndarray]
) -> Generator[Prepared, None, None]:
    """Yield (rgb, planes, key) for each frame, made on a producer thread.

    Closing the returned generator (or an exception in the consumer) stops the
    producer before it makes more than the queue holds.
    """
    # None marks the end of the frames.
    q: queue.Queue[Prepared | _Failed | None] = queue.Queue(maxsize=_DEPTH)
    stop = threading.Event()

    def put(item: Prepared | _Failed | None) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for rgb, key in frames:
                if not put((rgb, to_planes(rgb), key)):
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Failed(exc))
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="render-frames", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        worker.join()
