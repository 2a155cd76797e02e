"""The output frame grid: pixel sizes, frame counts, keyframe index ranges (§2)."""

from __future__ import annotations

from typing import Final

from .models import ASPECT_RATIOS, DURATIONS, RESOLUTIONS

FPS: Final = 24
SHORT_SIDES: Final = {"360p": 360, "540p": 540, "720p": 720, "1080p": 1080}
DEFAULT_ASPECT_RATIO: Final = "16:9"


def _ratio(aspect_ratio: str) -> tuple[int, int]:
    if aspect_ratio not in ASPECT_RATIOS:
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}")
    width, height = aspect_ratio.split(":")
    return int(width), int(height)


def _even(value: float) -> int:
    # Video encoders with 4:2:0 chroma need even sides.
    return 2 * round(value / 2)


def output_size(resolution: str, aspect_ratio: str | None) -> tuple[int, int]:
    """(width, height): the short side is the resolution's number, the long side
    follows the ratio, rounded to an even number. No ratio means 16:9."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {resolution!r}")
    short = SHORT_SIDES[resolution]
    width, height = _ratio(aspect_ratio or DEFAULT_ASPECT_RATIO)
    if width >= height:
        return _even(short * width / height), short
    return short, _even(short * height / width)


def duration_seconds(duration: str) -> int:
    if duration not in DURATIONS:
        raise ValueError(f"unknown duration {duration!r}")
    return int(duration.removesuffix("s"))


def frame_count(duration: str) -> int:
    """Frames in an output of this duration: both ends of the grid are frames."""
    return duration_seconds(duration) * FPS + 1


def max_index(duration: str) -> int:
    return duration_seconds(duration) * FPS


def source_max_index(seconds: float) -> int:
    """Last keyframe index on a source video's grid.

    ``seconds`` is the length on the 24 fps grid, (frames - 1) / 24, so a 5s
    generation (121 frames) is 5.0 and its last index is 120.
    """
    return max(0, round(seconds * FPS))
