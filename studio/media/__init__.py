"""Plain-Python video helpers (PyAV, NumPy, OpenCV): probe, posters, strips, SDR previews."""

from __future__ import annotations

from studio.media.preview import sdr_preview
from studio.media.probe import MediaError, VideoFacts, probe_video
from studio.media.stills import StripLayout, poster_frame, strip_layout, thumbnail_strip

__all__ = [
    "MediaError",
    "StripLayout",
    "VideoFacts",
    "poster_frame",
    "probe_video",
    "sdr_preview",
    "strip_layout",
    "thumbnail_strip",
]
