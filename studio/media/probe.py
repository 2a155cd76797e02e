"""What a video file is: size, rate, length, codec, HDR or not."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av


class MediaError(Exception):
    """A file that is not a decodable video (message is safe to show a user)."""


# AVColorTransferCharacteristic: SMPTE ST 2084 (PQ) and ARIB STD-B67 (HLG).
TRC_PQ = 16
TRC_HLG = 18


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    codec: str
    pix_fmt: str
    hdr: bool


def open_video(path: Path) -> av.container.InputContainer:
    """Open a file that must hold a video stream, or raise MediaError."""
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise MediaError(f"not a readable video file ({type(exc).__name__})") from exc
    if not container.streams.video:
        container.close()
        raise MediaError("the file holds no video stream")
    if container.streams.video[0].codec_context is None:
        # A stream FFmpeg can name but has no decoder for (an SVG is read as an image
        # pipe): nothing about it can be sized or decoded.
        container.close()
        raise MediaError("the video stream has no decoder")
    return container


def probe_video(path: Path) -> VideoFacts:
    """Read a video's facts; counts packets when the container does not say."""
    container = open_video(path)
    try:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate or Fraction(24)
        frames = stream.frames
        if not frames:
            # Containers without an index (e.g. raw streams): count what is there.
            try:
                frames = sum(1 for p in container.demux(stream) if p.size)
            except av.FFmpegError as exc:
                raise MediaError("the video stream is damaged") from exc
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = frames / float(rate)
        if not ctx.width or not ctx.height or frames <= 0:
            raise MediaError("the video stream has no decodable frames")
        return VideoFacts(
            width=ctx.width,
            height=ctx.height,
            fps=float(rate),
            frames=int(frames),
            duration_s=duration,
            codec=ctx.name,
            pix_fmt=ctx.pix_fmt or "",
            hdr=ctx.color_trc in (TRC_PQ, TRC_HLG),
        )
    finally:
        container.close()
