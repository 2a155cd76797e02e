"""An animatic: several clips played in order as one H.264 MP4, letterboxed to one size.

It is built on request, into a temporary file that the response streams and that is gone
once the response is closed. A cap on clips and on frames keeps that request short: a
share-able cut of a few takes, not a render farm job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from fractions import Fraction
from typing import IO

import av
import numpy as np

from studio.contract import FPS

MAX_CLIPS = 8
# About 40 s of video: some 20 s of work on a small machine, most of it encoding.
MAX_FRAMES = 40 * FPS
# The animatic's frame: the first clip's size, shrunk to fit this box.
BOX = (1280, 720)


# Opens a clip's bytes (a stored file may live off this machine).
Source = Callable[[], AbstractContextManager[IO[bytes]]]


def _even(value: float) -> int:
    # 4:2:0 chroma needs even sides.
    return max(2, 2 * round(value / 2))


def fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """(width, height) scaled to fit inside `box` keeping its shape; never enlarged."""
    scale = min(box[0] / width, box[1] / height, 1.0)
    return _even(width * scale), _even(height * scale)


def letterbox(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """The frame scaled (up or down) to fit `width` × `height`, centred on black (RGB)."""
    scale = min(width / frame.width, height / frame.height)
    inner_w = min(width, _even(frame.width * scale))
    inner_h = min(height, _even(frame.height * scale))
    pixels = frame.reformat(width=inner_w, height=inner_h, format="rgb24").to_ndarray()
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - inner_h) // 2, (width - inner_w) // 2
    canvas[top : top + inner_h, left : left + inner_w] = pixels
    return canvas


def _frames(source: Source) -> Iterator[av.VideoFrame]:
    with source() as handle, av.open(handle, "r") as container:
        yield from container.decode(video=0)


def render(sources: list[tuple[Source, int, int]], out: IO[bytes]) -> int:
    """Write the animatic of `sources` ((opener, width, height) in playing order) to `out`;
    returns the frames written. The frame size is the first clip's, fitted to `BOX`."""
    width, height = fit(sources[0][1], sources[0][2], BOX)
    written = 0
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        # A preview to share: encoding speed matters more than a few more bytes.
        stream.options = {"preset": "ultrafast", "crf": "23"}
        for source, _w, _h in sources:
            for frame in _frames(source):
                if written >= MAX_FRAMES:
                    break
                picture = av.VideoFrame.from_ndarray(
                    letterbox(frame, width, height), format="rgb24"
                )
                picture.pts = written
                container.mux(stream.encode(picture))
                written += 1
        container.mux(stream.encode())
    return written
