"""The renderer's public data types and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

KINDS = ("video", "video_edit", "video_reframe")

# What frame generators yield: (RGB uint8 frame, force an intra frame). The frame
# is at the output size, or exactly half of it in each dimension: a working-size
# frame that stands for its bilinear upscale, which the encoder does for luma
# only and the EXR export in linear light (see Scene.frame_small).
Frame = tuple[np.ndarray, bool]


class RenderError(Exception):
    """The job cannot be rendered as asked (bad source, bad anchor...). Message is user-safe."""


class RenderAborted(Exception):  # noqa: N818 - the name the worker expects
    """The caller's should_stop() asked the render to stop; nothing was published."""


@dataclass
class Anchor:
    """An image pinned to an output frame index (fitted to the canvas by cover-crop)."""

    index: int
    image: np.ndarray


@dataclass
class RenderJob:
    kind: str
    prompt: str
    width: int
    height: int
    frames: int
    fps: int = 24
    seed: int = 0
    loop: bool = False
    hdr: bool = False
    exr_export: bool = False
    anchors: list[Anchor] = field(default_factory=list)
    extend_source: Path | None = None
    extend_direction: str | None = None
    source: Path | None = None
    edit_strength: str | None = None
    edit_controls: dict | None = None
    edit_auto: bool = False
    edit_anchors: list[Anchor] = field(default_factory=list)
    source_position: tuple[float, float, float, float] | None = None


@dataclass
class RenderResult:
    video: Path
    exr_zip: Path | None
