"""The contract's numbers and names as the browser reads them.

Every page carries this once, as a JSON block (``json_script``): the composer, the
timeline, the player and compare read the frame grid, the limits, the defaults and the
price buckets from it instead of writing them out again. Templates read the same dict
from their context as ``contract``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .grid import DEFAULT_ASPECT_RATIO, FPS, duration_seconds, max_index
from .models import (
    DEFAULT_DURATION,
    DEFAULT_RESOLUTION,
    DURATIONS,
    EDIT_SOURCE_MAX_SECONDS,
    KEYFRAMES_MAX,
    PROMPT_MAX,
    REFRAME_SOURCE_MAX_SECONDS,
    RESOLUTIONS,
    TYPES,
    VIDEO_SOURCE_MAX_BYTES,
)
from .prices import EDIT_BUCKETS, SECOND_TOLERANCE


def _duration(duration: str) -> dict[str, Any]:
    return {
        "value": duration,
        "seconds": duration_seconds(duration),
        "max_index": max_index(duration),
    }


@cache
def browser_facts() -> dict[str, Any]:
    by_length = sorted(DURATIONS, key=duration_seconds)
    return {
        "fps": FPS,
        "keyframes_max": KEYFRAMES_MAX,
        "prompt_max": PROMPT_MAX,
        "types": list(TYPES),
        "resolutions": list(RESOLUTIONS),
        "durations": list(DURATIONS),
        "max_index": {duration: max_index(duration) for duration in DURATIONS},
        # The shortest and the longest output, for "shorten to 5 s?" and the like.
        "short": _duration(by_length[0]),
        "long": _duration(by_length[-1]),
        "defaults": {
            "resolution": DEFAULT_RESOLUTION,
            "duration": DEFAULT_DURATION,
            "aspect_ratio": DEFAULT_ASPECT_RATIO,
        },
        "edit_source_max_seconds": EDIT_SOURCE_MAX_SECONDS,
        "reframe_source_max_seconds": REFRAME_SOURCE_MAX_SECONDS,
        "source_max_megabytes": VIDEO_SOURCE_MAX_BYTES // 1_000_000,
        # How the price table's edit and reframe cells are chosen for a source.
        "prices": {
            "edit_up_to_seconds": [up_to for up_to, _ in EDIT_BUCKETS],
            "second_tolerance": SECOND_TOLERANCE,
        },
    }


def context_processor(request: object) -> dict[str, Any]:
    """Template context processor: ``contract`` on every page (see settings)."""
    return {"contract": browser_facts()}
