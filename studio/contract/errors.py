"""Error type and every error string of the wire contract.

Strings the contract publishes are module constants or small functions. Wording the
contract leaves to us is collected in ``OURS`` (one table, so it can be swapped the day
the real wording is known); the functions below read from it.
"""

from __future__ import annotations

from typing import Final


class ContractError(Exception):
    """A request the contract rejects: the HTTP status and the ``detail`` to answer.

    ``path`` is the wire field path the error is about (``video.keyframes[2]``), or
    None when the error is about the request as a whole.
    """

    def __init__(self, status: int, detail: str, path: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.path = path

    def as_body(self) -> dict[str, str]:
        return {"detail": self.detail}

    def __repr__(self) -> str:
        return f"ContractError({self.status}, {self.detail!r}, path={self.path!r})"


# --- Published strings (contract §4) -------------------------------------------------

PROMPT_LENGTH: Final = "Prompt must be between 1 and 6000 characters"
MISSING_KEY: Final = "Missing or invalid API key"
INVALID_KEY: Final = "Invalid API key"
KEY_REVOKED: Final = "API key has been revoked"
KEY_EXPIRED: Final = "API key has expired"
INSUFFICIENT_BALANCE: Final = "Insufficient balance. Please add funds to continue."
CLIENT_SUSPENDED: Final = "API client is suspended"
CLIENT_DEACTIVATED: Final = "API client is deactivated"
GENERATION_NOT_FOUND: Final = "Generation not found"
RATE_LIMITED: Final = "Rate limit exceeded"
TOO_MANY_JOBS: Final = "Too many concurrent jobs"
UPSTREAM_UNAVAILABLE: Final = "Upstream service unavailable"
INGESTION_UNAVAILABLE: Final = "Media URL ingestion is unavailable"

EDIT_SOURCE_REQUIRED: Final = "source is required for type 'video_edit'"
REFRAME_ASPECT_REQUIRED: Final = "aspect_ratio is required for type 'video_reframe'"
EDIT_SOURCE_TOO_LONG: Final = "source: video is longer than 18 seconds"
REFRAME_1080P_PORTRAIT: Final = (
    "video.resolution: 1080p reframe to 9:16 and 3:4 is not available yet; use 720p, 540p or 360p"
)

# --- Our wording (contract marks these "(ours)") -------------------------------------
# One table. Keys are stable names; values are format strings. Everything in the
# project that needs one of these goes through this module, never a copy of the text.

OURS: Final[dict[str, str]] = {
    # §4.1 table, type "video"
    "resolution_invalid": "video.resolution: must be one of 360p, 540p, 720p, 1080p",
    "duration_invalid": "video.duration: must be one of 5s, 10s",
    "ref_exactly_one": (
        "{path}: provide exactly one of 'url', 'data', 'generation_id' or 'file_id'"
    ),
    "ref_file_not_ready": "{path}.file_id: no ready file with this id",
    "ref_media_type_required": "{path}: 'media_type' is required with 'data'",
    "keyframes_count": "{path}: must hold between 1 and 64 images",
    "keyframe_index_invalid": "{path}[{i}]: must be a unique non-negative integer",
    "keyframe_pairing": ("{path}: must be given with {keyframes} and have the same length"),
    "keyframe_index_outside": "{path}[{i}]: {n} is outside 0..{max} for duration {d}",
    "keyframes_with_anchor": (
        "video.keyframes: cannot be combined with video.start_frame or video.end_frame"
    ),
    "loop_with_keyframes": "video.loop: not supported with video.keyframes",
    "ten_s_with_anchor": (
        "video.duration: 10s is not supported with video.start_frame or video.end_frame"
    ),
    "ten_s_with_hdr": "video.duration: 10s is not supported with video.hdr",
    "loop_with_ten_s": "video.loop: not supported with duration 10s",
    "loop_with_hdr": "video.loop: not supported with video.hdr",
    "loop_with_end_frame": "video.loop: not supported with video.end_frame",
    "hdr_resolution": "video.hdr: requires resolution 720p or 1080p",
    "exr_without_hdr": "video.exr_export: requires video.hdr",
    "edit_not_edit_type": "video.edit: only valid for type 'video_edit'",
    "source_on_video": (
        "source: not valid for type 'video'; extend with "
        "video.start_frame.generation_id or video.end_frame.generation_id"
    ),
    "extend_interpolation": (
        "video.end_frame: interpolation from a prior generation is not available; "
        "use a single generation_id"
    ),
    "hdr_with_image_anchor": (
        "video.hdr: not supported with video.start_frame or video.end_frame; use video.keyframes"
    ),
    "extend_hdr": "video.hdr: extend is standard dynamic range only",
    "ref_generation_not_found": (
        "{path}.generation_id: no completed video generation with this id"
    ),
    # video_edit and video_reframe
    "not_for_type": "{path}: not supported for type '{type}'",
    "reframe_source_required": "source is required for type 'video_reframe'",
    "video_keyframes_on_edit": (
        "video.keyframes: not supported for type 'video_edit'; use video.edit.keyframes"
    ),
    "edit_auto_with_manual": (
        "video.edit.auto_controls: cannot be combined with video.edit.strength "
        "or video.edit.controls"
    ),
    "edit_keyframes_with_start_frame": (
        "video.edit.keyframes: cannot be combined with video.start_frame"
    ),
    "source_position_not_reframe": ("video.source_position: only valid for type 'video_reframe'"),
    "source_not_video": (
        "source: must be a video: a completed video generation_id, a file_id, "
        "or 'url'/'data' with a video/* 'media_type'"
    ),
    "reframe_source_too_long": "source: video is longer than 30 seconds",
    "edit_keyframe_index_outside": ("{path}[{i}]: {n} is outside 0..{max} for the source video"),
    # Shapes and types: a value that is wrong on its own is a 400 (contract §4.1)
    "body_not_object": "body: must be a JSON object",
    "body_not_json": "body: must be valid JSON",
    "body_too_deep": "body: must not nest more than {depth} levels deep",
    "body_too_large": "body: request exceeds {limit} MB",
    "text_invalid": "{path}: must be valid Unicode text (no lone surrogates or NUL characters)",
    "url_invalid": "{path}: must be a URL without spaces or control characters",
    "required": "{path}: is required",
    "unknown_field": "{path}: unknown field",
    "must_be_string": "{path}: must be a string",
    "must_be_boolean": "{path}: must be a boolean",
    "must_be_object": "{path}: must be an object",
    "must_be_list": "{path}: must be a list",
    "must_be_one_of": "{path}: must be one of {choices}",
    "number_range": "{path}: must be a number between {low} and {high}",
    "number_positive_range": "{path}: must be a number above 0 and at most {high}",
    "user_id_length": "user_id: must be at most 256 characters",
    "video_too_large": "{path}: video exceeds 200 MB limit",
    "invalid_value": "{path}: invalid value",
    # Failure reasons for the codes the contract gives no wording for
    "reason_image_too_large": "Input media exceeds the size limit",
    "reason_unsupported_format": "Input media format is not supported",
    "reason_corrupt_input": "Input media could not be decoded",
    "reason_invalid_request": "The request could not be processed",
    "reason_rate_limited": "Generation capacity exceeded; retry later",
    # Files API
    "file_not_found": "File not found",
}


def ours(key: str, **values: object) -> str:
    return OURS[key].format(**values)


# --- Functions for strings that carry a value -----------------------------------------


def unknown_model(name: object) -> str:
    return f"Unknown model: {name}"


def unsupported_type(type_: object, model: str) -> str:
    return f"Type '{type_}' is not supported for model '{model}'"


# Published text: "sorted as strings" by the API, which puts 1:1 before 16:9 (Python's
# sorted() would not), so the list is spelled out rather than computed.
ASPECT_RATIOS_LISTED: Final = "1:1, 16:9, 21:9, 3:4, 4:3, 9:16"


def invalid_aspect_ratio(value: object) -> str:
    return f"Invalid aspect_ratio '{value}'. Valid: {ASPECT_RATIOS_LISTED}"


def image_too_large(path: str) -> str:
    return f"{path}: image exceeds 50 MB limit"


def invalid_base64(path: str) -> str:
    return f"{path}: invalid base64 data"


def fetch_failed(path: str, status: int) -> str:
    return f"{path}: failed to fetch URL (HTTP {status})"


def not_an_image(path: str) -> str:
    return f"{path}: content-type is not an image"


def ref_exactly_one(path: str) -> str:
    return ours("ref_exactly_one", path=path)


def ref_media_type_required(path: str) -> str:
    return ours("ref_media_type_required", path=path)


def file_not_ready(path: str) -> str:
    return ours("ref_file_not_ready", path=path)


def generation_not_completed(path: str) -> str:
    return ours("ref_generation_not_found", path=path)


def keyframe_index_invalid(path: str, i: int) -> str:
    return ours("keyframe_index_invalid", path=path, i=i)


def keyframe_index_outside(path: str, i: int, n: int, max_: int, duration: str) -> str:
    return ours("keyframe_index_outside", path=path, i=i, n=n, max=max_, d=duration)


def not_for_type(path: str, type_: str) -> str:
    return ours("not_for_type", path=path, type=type_)


def video_too_large(path: str) -> str:
    return ours("video_too_large", path=path)
