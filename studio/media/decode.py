"""Decode a video to SDR RGB frames, one at a time (never the whole clip in memory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from studio.media.colour import yuv420p10_pq_to_rgb8, yuv420p_to_rgb8
from studio.media.probe import TRC_PQ, MediaError, open_video


def _plane(
    frame: av.VideoFrame, index: int, width: int, height: int, dtype: type = np.uint16
) -> np.ndarray:
    plane = frame.planes[index]
    size = np.dtype(dtype).itemsize
    arr: np.ndarray = np.frombuffer(plane, dtype=dtype).reshape(height, plane.line_size // size)
    return arr[:, :width]


# AVCOL_SPC_* values that mean BT.601 matrices.
_BT601_SPACES = {5, 6}


def frame_to_rgb(frame: av.VideoFrame) -> np.ndarray:
    """One decoded frame -> HxWx3 uint8 sRGB; PQ frames are tone-mapped."""
    if frame.color_trc == TRC_PQ and frame.format.name == "yuv420p10le":
        w, h = frame.width, frame.height
        return yuv420p10_pq_to_rgb8(
            _plane(frame, 0, w, h),
            _plane(frame, 1, w // 2, h // 2),
            _plane(frame, 2, w // 2, h // 2),
        )
    if frame.color_trc == TRC_PQ:
        # Other PQ layouts: let FFmpeg bring them to 10-bit 4:2:0 first.
        return frame_to_rgb(_as_yuv420p10(frame))
    if frame.format.name in ("yuv420p", "yuvj420p") and frame.color_range != 2:
        # Our own inverse of the encoder's matrix: FFmpeg's default RGB path
        # assumes BT.601 and rounds loosely (~1 code of bias).
        w, h = frame.width, frame.height
        matrix = (
            "601"
            if frame.colorspace in _BT601_SPACES or (frame.colorspace == 2 and h < 720)
            else "709"
        )
        return yuv420p_to_rgb8(
            _plane(frame, 0, w, h, np.uint8),
            _plane(frame, 1, w // 2, h // 2, np.uint8),
            _plane(frame, 2, w // 2, h // 2, np.uint8),
            matrix,
        )
    return frame.to_ndarray(format="rgb24")


def _as_yuv420p10(frame: av.VideoFrame) -> av.VideoFrame:
    out = frame.reformat(format="yuv420p10le")
    out.color_trc = TRC_PQ
    return out


def iter_frames(path: Path, *, start_s: float = 0.0) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time in seconds, RGB frame) from `start_s` on; MediaError if undecodable."""
    container = open_video(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if start_s > 0 and stream.time_base is not None:
            container.seek(int(start_s / stream.time_base), stream=stream, backward=True)
        try:
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else 0.0
                if t + 1e-6 < start_s:
                    continue
                yield t, frame_to_rgb(frame)
        except av.FFmpegError as exc:
            raise MediaError("the video stream is damaged") from exc
    finally:
        container.close()


def iter_rgb(path: Path) -> Iterator[np.ndarray]:
    for _t, rgb in iter_frames(path):
        yield rgb
