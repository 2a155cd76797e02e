"""Pydantic models and constants for every shape on the wire (contract §2, §3, §7).

The models describe shapes; the checks a request must pass beyond its shape live in
``rules.py``, and ``rules.validate`` is the way in for untrusted bodies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import OURS

MODEL: Final = "ray-3.2"
API_VERSION: Final = "2026-04-01"
TYPES: Final = ("video", "video_edit", "video_reframe")
# The guide's order; error messages sort them as strings.
ASPECT_RATIOS: Final = ("9:16", "3:4", "1:1", "4:3", "16:9", "21:9")
RESOLUTIONS: Final = ("360p", "540p", "720p", "1080p")
DURATIONS: Final = ("5s", "10s")
DEFAULT_RESOLUTION: Final = "720p"
DEFAULT_DURATION: Final = "5s"
STRENGTHS: Final = (
    "adhere_1",
    "adhere_2",
    "adhere_3",
    "flex_1",
    "flex_2",
    "flex_3",
    "reimagine_1",
    "reimagine_2",
    "reimagine_3",
)
POSE_STRENGTHS: Final = ("precise", "coarse")
STATES: Final = ("queued", "processing", "completed", "failed")
TERMINAL_STATES: Final = frozenset({"completed", "failed"})
FAILURE_CODES: Final = (
    "content_moderated",
    "generation_failed",
    "budget_exhausted",
    "output_not_found",
    "image_too_large",
    "unsupported_format",
    "corrupt_input",
    "invalid_request",
    "rate_limited",
)
RETRYABLE_FAILURE_CODES: Final = frozenset(
    {"generation_failed", "output_not_found", "rate_limited"}
)
# Published reasons first; the rest are our wording, kept in errors.OURS.
FAILURE_REASONS: Final[dict[str, str]] = {
    "content_moderated": "Generation output was flagged by our content moderation system.",
    "budget_exhausted": "Insufficient credits to complete this generation.",
    "generation_failed": "Generation failed",
    "output_not_found": "Output artifacts not found",
    "image_too_large": OURS["reason_image_too_large"],
    "unsupported_format": OURS["reason_unsupported_format"],
    "corrupt_input": OURS["reason_corrupt_input"],
    "invalid_request": OURS["reason_invalid_request"],
    "rate_limited": OURS["reason_rate_limited"],
}
OUTPUT_TYPES: Final = ("video", "exr")
PROMPT_MAX: Final = 6000
# Creates are limited per key (§5): concurrent non-terminal jobs, and requests in a
# sliding window of this many seconds.
RATE_WINDOW_S: Final = 60
USER_ID_MAX: Final = 256
KEYFRAMES_MAX: Final = 64
IMAGE_MAX_BYTES: Final = 50 * 1000 * 1000
VIDEO_SOURCE_MAX_BYTES: Final = 200 * 1000 * 1000
IMAGE_MAX_SIDE: Final = 8000
EDIT_SOURCE_MAX_SECONDS: Final = 18
REFRAME_SOURCE_MAX_SECONDS: Final = 30
FILE_MAX_BYTES: Final = 5 * 1024**3
FILE_PURPOSES: Final = ("input", "reference")
FILE_STATES: Final = ("pending", "ready", "failed", "deleted")

Type = Literal["video", "video_edit", "video_reframe"]
AspectRatio = Literal["9:16", "3:4", "1:1", "4:3", "16:9", "21:9"]
Resolution = Literal["360p", "540p", "720p", "1080p"]
Duration = Literal["5s", "10s"]
Strength = Literal[
    "adhere_1",
    "adhere_2",
    "adhere_3",
    "flex_1",
    "flex_2",
    "flex_3",
    "reimagine_1",
    "reimagine_2",
    "reimagine_3",
]
State = Literal["queued", "processing", "completed", "failed"]
FailureCode = Literal[
    "content_moderated",
    "generation_failed",
    "budget_exhausted",
    "output_not_found",
    "image_too_large",
    "unsupported_format",
    "corrupt_input",
    "invalid_request",
    "rate_limited",
]


class _Wire(BaseModel):
    # Unknown keys are refused so a typo cannot silently become a default.
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_wire(self) -> dict[str, object]:
        """The JSON-ready dict to send: unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


class ImageRef(_Wire):
    """Exactly one of url, data, generation_id, file_id (checked by ``validate``)."""

    url: str | None = None
    data: str | None = None
    generation_id: str | None = None
    file_id: str | None = None
    media_type: str | None = None

    @property
    def kind(self) -> Literal["url", "data", "generation_id", "file_id"]:
        for name in ("url", "data", "generation_id", "file_id"):
            if getattr(self, name) is not None:
                return name
        raise ValueError("ImageRef holds no reference")

    @property
    def is_video(self) -> bool:
        return (self.media_type or "").startswith("video/")


class DepthControl(_Wire):
    enabled: bool | None = None
    blur: float | None = Field(default=None, ge=0, le=1)


class FaceControl(_Wire):
    enabled: bool | None = None


class NormalsControl(_Wire):
    enabled: bool | None = None
    augmentation: float | None = Field(default=None, ge=0, le=1)


class PoseControl(_Wire):
    enabled: bool | None = None
    strength: Literal["precise", "coarse"] | None = None


class TrajectoryControl(_Wire):
    enabled: bool | None = None
    sparsity: float | None = Field(default=None, ge=0, le=1)


class EditControls(_Wire):
    depth: DepthControl | None = None
    face: FaceControl | None = None
    normals: NormalsControl | None = None
    pose: PoseControl | None = None
    trajectory: TrajectoryControl | None = None


class VideoEditOptions(_Wire):
    auto_controls: bool | None = None
    strength: Strength | None = None
    controls: EditControls | None = None
    keyframes: list[ImageRef] | None = None
    keyframe_indexes: list[int] | None = None


class SourcePosition(_Wire):
    """Where the source rectangle sits in the output canvas, as canvas fractions."""

    x_norm: float = Field(ge=-2, le=2)
    y_norm: float = Field(ge=-2, le=2)
    w_norm: float = Field(gt=0, le=2)
    h_norm: float = Field(gt=0, le=2)


class VideoOptions(_Wire):
    resolution: Resolution | None = None
    duration: Duration | None = None
    loop: bool | None = None
    hdr: bool | None = None
    exr_export: bool | None = None
    start_frame: ImageRef | None = None
    end_frame: ImageRef | None = None
    keyframes: list[ImageRef] | None = None
    keyframe_indexes: list[int] | None = None
    edit: VideoEditOptions | None = None
    source_position: SourcePosition | None = None

    @property
    def effective_resolution(self) -> str:
        return self.resolution or DEFAULT_RESOLUTION

    @property
    def effective_duration(self) -> str:
        return self.duration or DEFAULT_DURATION


class GenerationRequest(_Wire):
    """The body of ``POST /v1/generations``. Build from untrusted input with
    ``validate``; constructing it directly checks shapes only, not the rules."""

    model: str = MODEL
    type: Type = "video"
    prompt: str
    aspect_ratio: AspectRatio | None = None
    source: ImageRef | None = None
    user_id: str | None = None
    video: VideoOptions | None = None

    @property
    def options(self) -> VideoOptions:
        """``video`` with an empty VideoOptions standing in when it was omitted."""
        return self.video or VideoOptions()


def wire_time(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC; naive datetimes are taken to be UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Output(_Wire):
    type: Literal["video", "exr"]
    url: str


class Generation(_Wire):
    """The answer of create and get: always the same eight keys."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    type: Type
    state: State
    model: str = MODEL
    created_at: datetime
    output: list[Output] = Field(default_factory=list)
    failure_reason: str | None = None
    failure_code: FailureCode | None = None

    def to_wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": self.type,
            "state": self.state,
            "model": self.model,
            "created_at": wire_time(self.created_at),
            "output": [{"type": o.type, "url": o.url} for o in self.output],
            "failure_reason": self.failure_reason,
            "failure_code": self.failure_code,
        }

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def retryable(self) -> bool:
        return self.failure_code in RETRYABLE_FAILURE_CODES


class File(_Wire):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    created_at: datetime
    mime_type: str
    purpose: Literal["input", "reference"] = "input"
    size_bytes: int
    state: Literal["pending", "ready", "failed", "deleted"]
    deleted_at: datetime | None = None
    expires_at: datetime | None = None
    failure_reason: str | None = None
    filename: str | None = None
    user_id: str | None = None

    def to_wire(self) -> dict[str, object]:
        body = self.model_dump(mode="json")
        for key in ("created_at", "deleted_at", "expires_at"):
            moment = getattr(self, key)
            body[key] = wire_time(moment) if moment is not None else None
        return body


class PresignedUpload(_Wire):
    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str
    method: str = "PUT"
    headers: dict[str, str] | None = None
    expires_at: datetime

    def to_wire(self) -> dict[str, object]:
        return {
            "url": self.url,
            "method": self.method,
            "headers": self.headers,
            "expires_at": wire_time(self.expires_at),
        }


class FileCreateResponse(_Wire):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    state: Literal["pending", "ready", "failed", "deleted"]
    file: File
    upload: PresignedUpload | None = None

    def to_wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "state": self.state,
            "file": self.file.to_wire(),
            "upload": self.upload.to_wire() if self.upload else None,
        }


class FileList(_Wire):
    model_config = ConfigDict(extra="ignore", frozen=True)

    data: list[File]
    has_more: bool
    next_cursor: str | None = None

    def to_wire(self) -> dict[str, object]:
        return {
            "data": [f.to_wire() for f in self.data],
            "has_more": self.has_more,
            "next_cursor": self.next_cursor,
        }
