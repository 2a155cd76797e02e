"""The Ray 3.2 wire contract: models, error strings, the rule table, grid and prices.

Plain Python (no Django): the local engine, the studio's forms and the HTTP client's
pre-flight all import it, so a rule is written exactly once.
"""

from __future__ import annotations

from . import errors
from .errors import OURS, ContractError
from .grid import FPS, duration_seconds, frame_count, max_index, output_size, source_max_index
from .models import (
    API_VERSION,
    ASPECT_RATIOS,
    DURATIONS,
    FAILURE_CODES,
    FAILURE_REASONS,
    MODEL,
    RESOLUTIONS,
    RETRYABLE_FAILURE_CODES,
    STATES,
    STRENGTHS,
    TERMINAL_STATES,
    TYPES,
    DepthControl,
    EditControls,
    FaceControl,
    File,
    FileCreateResponse,
    FileList,
    Generation,
    GenerationRequest,
    ImageRef,
    NormalsControl,
    Output,
    PoseControl,
    PresignedUpload,
    SourcePosition,
    TrajectoryControl,
    VideoEditOptions,
    VideoOptions,
    wire_time,
)
from .prices import Price, price_of
from .rules import RULES, RefResolver, Rule, broken_rules, facts_of, rules_as_json, validate
from .structure import decode_data

__all__ = [
    "API_VERSION",
    "ASPECT_RATIOS",
    "DURATIONS",
    "FAILURE_CODES",
    "FAILURE_REASONS",
    "FPS",
    "MODEL",
    "OURS",
    "RESOLUTIONS",
    "RETRYABLE_FAILURE_CODES",
    "RULES",
    "STATES",
    "STRENGTHS",
    "TERMINAL_STATES",
    "TYPES",
    "ContractError",
    "DepthControl",
    "EditControls",
    "FaceControl",
    "File",
    "FileCreateResponse",
    "FileList",
    "Generation",
    "GenerationRequest",
    "ImageRef",
    "NormalsControl",
    "Output",
    "PoseControl",
    "PresignedUpload",
    "Price",
    "RefResolver",
    "Rule",
    "SourcePosition",
    "TrajectoryControl",
    "VideoEditOptions",
    "VideoOptions",
    "broken_rules",
    "decode_data",
    "duration_seconds",
    "errors",
    "facts_of",
    "frame_count",
    "max_index",
    "output_size",
    "price_of",
    "rules_as_json",
    "source_max_index",
    "validate",
    "wire_time",
]
