"""Shape checks for an untrusted request body: each value on its own (contract §4.1).

Everything here answers 400 except the few checks that compare two fields' shapes
(keyframe pairing, an index past the grid, a source that is not a video, media data
that does not decode), which answer 422/413 and run after every 400 check. No
exception other than ContractError leaves this module, whatever the body holds.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterator
from typing import Any

from . import errors as e
from .errors import ContractError, ours
from .grid import max_index
from .models import (
    ASPECT_RATIOS,
    DEFAULT_DURATION,
    DURATIONS,
    IMAGE_MAX_BYTES,
    KEYFRAMES_MAX,
    MODEL,
    POSE_STRENGTHS,
    PROMPT_MAX,
    RESOLUTIONS,
    STRENGTHS,
    TYPES,
    USER_ID_MAX,
    VIDEO_SOURCE_MAX_BYTES,
)
from .parsing import is_clean_url, is_storable

REF_KINDS = ("url", "data", "generation_id", "file_id")
TOP_FIELDS = frozenset({"model", "type", "prompt", "aspect_ratio", "source", "user_id", "video"})
VIDEO_FIELDS = frozenset(
    {
        "resolution",
        "duration",
        "loop",
        "hdr",
        "exr_export",
        "start_frame",
        "end_frame",
        "keyframes",
        "keyframe_indexes",
        "edit",
        "source_position",
    }
)
EDIT_FIELDS = frozenset({"auto_controls", "strength", "controls", "keyframes", "keyframe_indexes"})
REF_FIELDS = frozenset({*REF_KINDS, "media_type"})
# Each control: its fields and, for numbers, the allowed closed range.
CONTROL_FIELDS: dict[str, dict[str, tuple[float, float] | None]] = {
    "depth": {"enabled": None, "blur": (0.0, 1.0)},
    "face": {"enabled": None},
    "normals": {"enabled": None, "augmentation": (0.0, 1.0)},
    "pose": {"enabled": None, "strength": None},
    "trajectory": {"enabled": None, "sparsity": (0.0, 1.0)},
}
POSITION_RANGES = {
    "x_norm": (-2.0, 2.0),
    "y_norm": (-2.0, 2.0),
    "w_norm": (0.0, 2.0),
    "h_norm": (0.0, 2.0),
}


def _bad(detail: str, path: str | None = None, status: int = 400) -> ContractError:
    return ContractError(status, detail, path)


def _object(value: object, path: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(ours("must_be_object", path=path), path)
    for key in value:
        if key not in allowed:
            # Keys of a parsed JSON object are strings; anything else is not JSON.
            name = f"{path}.{key}" if path != "body" else str(key)
            raise _bad(ours("unknown_field", path=name), name)
    return value


def _bool(value: object, path: str) -> None:
    if value is not None and not isinstance(value, bool):
        raise _bad(ours("must_be_boolean", path=path), path)


def _number(value: object) -> float | None:
    """The value as a finite float, or None when it is not a JSON number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def iter_refs(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, ref) for every ImageRef in a shape-checked body, in wire order."""
    video = body.get("video") or {}
    edit = video.get("edit") or {}
    if body.get("source") is not None:
        yield "source", body["source"]
    for name in ("start_frame", "end_frame"):
        if video.get(name) is not None:
            yield f"video.{name}", video[name]
    for i, ref in enumerate(video.get("keyframes") or []):
        yield f"video.keyframes[{i}]", ref
    for i, ref in enumerate(edit.get("keyframes") or []):
        yield f"video.edit.keyframes[{i}]", ref


def check_shapes(body: object) -> dict[str, Any]:
    """Every 400 check on values taken one at a time, in the contract's order.

    Returns the body, now known to be an object of the right shape.
    """
    if not isinstance(body, dict):
        raise _bad(ours("body_not_object"))
    model = body.get("model")
    if model is None:
        raise _bad(ours("required", path="model"), "model")
    if model != MODEL:
        raise _bad(e.unknown_model(model), "model")
    type_ = body.get("type")
    if type_ is None:
        raise _bad(ours("required", path="type"), "type")
    if not isinstance(type_, str) or type_ not in TYPES:
        raise _bad(e.unsupported_type(type_, MODEL), "type")
    _object(body, "body", TOP_FIELDS)
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise _bad(ours("must_be_string", path="prompt"), "prompt")
    if not prompt or len(prompt) > PROMPT_MAX:
        raise _bad(e.PROMPT_LENGTH, "prompt")
    if not is_storable(prompt):
        # Accepted, it would count against the rate limit and fail the render later.
        raise _bad(ours("text_invalid", path="prompt"), "prompt")
    aspect = body.get("aspect_ratio")
    if aspect is not None and aspect not in ASPECT_RATIOS:
        raise _bad(e.invalid_aspect_ratio(aspect), "aspect_ratio")

    video = body.get("video")
    if video is not None:
        _object(video, "video", VIDEO_FIELDS)
    video = video or {}
    resolution = video.get("resolution")
    if resolution is not None and resolution not in RESOLUTIONS:
        raise _bad(ours("resolution_invalid"), "video.resolution")
    duration = video.get("duration")
    if duration is not None and duration not in DURATIONS:
        raise _bad(ours("duration_invalid"), "video.duration")
    for name in ("loop", "hdr", "exr_export"):
        _bool(video.get(name), f"video.{name}")

    edit = video.get("edit")
    if edit is not None:
        _object(edit, "video.edit", EDIT_FIELDS)
    edit = edit or {}
    for path, holder in (("video.keyframes", video), ("video.edit.keyframes", edit)):
        frames = holder.get("keyframes")
        if frames is not None and not isinstance(frames, list):
            raise _bad(ours("must_be_list", path=path), path)
    for path, ref in iter_refs(body):
        _check_ref(ref, path)
    for path, holder in (("video", video), ("video.edit", edit)):
        _check_keyframe_lists(holder, path)

    if video.get("source_position") is not None:
        _check_position(video["source_position"])
    _check_edit(edit)
    user_id = body.get("user_id")
    if user_id is not None:
        if not isinstance(user_id, str):
            raise _bad(ours("must_be_string", path="user_id"), "user_id")
        if len(user_id) > USER_ID_MAX:
            raise _bad(ours("user_id_length"), "user_id")
    return body


def _check_ref(ref: object, path: str) -> None:
    ref = _object(ref, path, REF_FIELDS)
    for key in REF_FIELDS:
        value = ref.get(key)
        if value is not None and not isinstance(value, str):
            raise _bad(ours("must_be_string", path=f"{path}.{key}"), f"{path}.{key}")
    url = ref.get("url")
    if url is not None and not is_clean_url(url):
        raise _bad(ours("url_invalid", path=f"{path}.url"), f"{path}.url")
    if sum(ref.get(kind) is not None for kind in REF_KINDS) != 1:
        raise _bad(e.ref_exactly_one(path), path)
    if ref.get("data") is not None and ref.get("media_type") is None:
        raise _bad(e.ref_media_type_required(path), path)


def _check_keyframe_lists(holder: dict[str, Any], prefix: str) -> None:
    frames = holder.get("keyframes")
    if frames is not None and not 1 <= len(frames) <= KEYFRAMES_MAX:
        path = f"{prefix}.keyframes"
        raise _bad(ours("keyframes_count", path=path), path)
    indexes = holder.get("keyframe_indexes")
    path = f"{prefix}.keyframe_indexes"
    if indexes is None:
        return
    if not isinstance(indexes, list):
        raise _bad(ours("must_be_list", path=path), path)
    seen: set[int] = set()
    for i, index in enumerate(indexes):
        if not _is_index(index) or index in seen:
            raise _bad(e.keyframe_index_invalid(path, i), f"{path}[{i}]")
        seen.add(index)


def _check_position(position: object) -> None:
    position = _object(position, "video.source_position", frozenset(POSITION_RANGES))
    for name, (low, high) in POSITION_RANGES.items():
        path = f"video.source_position.{name}"
        value = position.get(name)
        if value is None:
            raise _bad(ours("required", path=path), path)
        number = _number(value)
        if name in ("w_norm", "h_norm"):
            if number is None or not low < number <= high:
                raise _bad(ours("number_positive_range", path=path, high=high), path)
        elif number is None or not low <= number <= high:
            raise _bad(ours("number_range", path=path, low=low, high=high), path)


def _check_edit(edit: dict[str, Any]) -> None:
    _bool(edit.get("auto_controls"), "video.edit.auto_controls")
    strength = edit.get("strength")
    if strength is not None and strength not in STRENGTHS:
        path = "video.edit.strength"
        raise _bad(ours("must_be_one_of", path=path, choices=", ".join(STRENGTHS)), path)
    controls = edit.get("controls")
    if controls is None:
        return
    controls = _object(controls, "video.edit.controls", frozenset(CONTROL_FIELDS))
    for name, fields in CONTROL_FIELDS.items():
        control = controls.get(name)
        if control is None:
            continue
        prefix = f"video.edit.controls.{name}"
        control = _object(control, prefix, frozenset(fields))
        _bool(control.get("enabled"), f"{prefix}.enabled")
        for field, bounds in fields.items():
            value = control.get(field)
            if value is None or bounds is None:
                continue
            number = _number(value)
            if number is None or not bounds[0] <= number <= bounds[1]:
                path = f"{prefix}.{field}"
                raise _bad(ours("number_range", path=path, low=0, high=1), path)
        pose = control.get("strength") if name == "pose" else None
        if pose is not None and pose not in POSE_STRENGTHS:
            path = f"{prefix}.strength"
            choices = ", ".join(POSE_STRENGTHS)
            raise _bad(ours("must_be_one_of", path=path, choices=choices), path)


# --- Structural 422s: shapes that are fine alone but disagree with another field ------


def check_pairing(body: dict[str, Any]) -> None:
    """Keyframes against their indexes, and indexes against the output grid.

    Only where the type allows the list: elsewhere the rule table rejects the list
    itself, which says more than a pairing complaint would.
    """
    video = body.get("video") or {}
    type_ = body["type"]
    if type_ == "video":
        _check_pair(video, "video")
        duration = video.get("duration") or DEFAULT_DURATION
        top = max_index(duration)
        path = "video.keyframe_indexes"
        for i, index in enumerate(video.get("keyframe_indexes") or []):
            if index > top:
                detail = e.keyframe_index_outside(path, i, index, top, duration)
                raise _bad(detail, f"{path}[{i}]", 422)
    elif type_ == "video_edit":
        _check_pair(video.get("edit") or {}, "video.edit")


def _check_pair(holder: dict[str, Any], prefix: str) -> None:
    frames, indexes = holder.get("keyframes"), holder.get("keyframe_indexes")
    if frames is None and indexes is None:
        return
    if frames is None or indexes is None or len(frames) != len(indexes):
        path = f"{prefix}.keyframe_indexes"
        detail = ours("keyframe_pairing", path=path, keyframes=f"{prefix}.keyframes")
        raise _bad(detail, path, 422)


def check_media(body: dict[str, Any]) -> None:
    """Sources must be videos; inline data must decode and fit its size limit."""
    source = body.get("source")
    if source is not None and body["type"] in ("video_edit", "video_reframe"):
        inline = source.get("url") is not None or source.get("data") is not None
        if inline and not str(source.get("media_type") or "").startswith("video/"):
            raise _bad(ours("source_not_video"), "source", 422)
    for path, ref in iter_refs(body):
        data = ref.get("data")
        if data is None:
            continue
        size = decoded_size(data, path)
        if path == "source" and body["type"] != "video":
            if size > VIDEO_SOURCE_MAX_BYTES:
                raise _bad(e.video_too_large(path), path, 413)
        elif size > IMAGE_MAX_BYTES:
            raise _bad(e.image_too_large(path), path, 413)


def decode_data(data: str, path: str) -> bytes:
    """The bytes of an ImageRef's ``data``; 422 with the contract string when it is
    not base64. Whitespace (line-wrapped base64) is tolerated."""
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad(e.invalid_base64(path), path, 422) from exc


def decoded_size(data: str, path: str) -> int:
    return len(decode_data(data, path))
