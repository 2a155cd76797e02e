"""From a composition (what the person chose) to the wire body, and back to problems.

The rules themselves live in ``studio.contract``; this module only builds the body
the contract judges and says which form field each complaint belongs to.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from studio.composer.messages import source_too_long
from studio.composer.resolver import SourceResolver
from studio.contract import (
    MODEL,
    ContractError,
    GenerationRequest,
    broken_rules,
    facts_of,
    validate,
)
from studio.contract.models import (
    DEFAULT_DURATION,
    DEFAULT_RESOLUTION,
    KEYFRAMES_MAX,
    PROMPT_MAX,
)
from studio.contract.rules import RULES, check_refs
from studio.generations.lifecycle import ASSET_PREFIX

MODES = ("video", "extend", "edit", "reframe")
TYPE_OF_MODE = {
    "video": "video",
    "extend": "video",
    "edit": "video_edit",
    "reframe": "video_reframe",
}
CONTROLS = {
    "depth": ("blur",),
    "face": (),
    "normals": ("augmentation",),
    "pose": ("strength",),
    "trajectory": ("sparsity",),
}


def asset_ref(asset_id: int) -> dict[str, str]:
    return {"file_id": f"{ASSET_PREFIX}{asset_id}"}


def _keyframes(items: list[dict[str, int]]) -> tuple[list[dict[str, str]], list[int]]:
    ordered = sorted(items, key=lambda k: k["frame"])
    return [asset_ref(k["asset"]) for k in ordered], [k["frame"] for k in ordered]


def _edit_options(c: dict[str, Any]) -> dict[str, Any]:
    edit: dict[str, Any] = {}
    if c["mode"] == "edit":
        # The mode radio only decides auto_controls; a preset or a control that was
        # filled in goes in as well, so the rule table can say they conflict.
        if (c.get("controls_mode") or "auto") == "auto":
            edit["auto_controls"] = True
        if c.get("strength"):
            edit["strength"] = c["strength"]
        controls: dict[str, Any] = {}
        for name, params in CONTROLS.items():
            if not c.get(f"{name}_enabled"):
                continue
            control: dict[str, Any] = {"enabled": True}
            for param in params:
                value = c.get(f"{name}_{param}")
                if value not in (None, ""):
                    control[param] = value
            controls[name] = control
        if controls or c.get("controls_mode") == "manual":
            edit["controls"] = controls
    if c.get("edit_keyframes"):
        edit["keyframes"], edit["keyframe_indexes"] = _keyframes(c["edit_keyframes"])
    return edit


def build_body(
    c: dict[str, Any], source_ref: dict[str, str] | None, user_id: str | None = None
) -> dict[str, Any]:
    """The request body for composition ``c``; ``source_ref`` is the chosen clip's ref.

    Everything the person filled in goes into the body, even where the type forbids
    it, so the contract's rule table (and not a second copy of it) says what is wrong.
    """
    mode = c["mode"]
    body: dict[str, Any] = {
        "model": MODEL,
        "type": TYPE_OF_MODE[mode],
        "prompt": c.get("prompt", ""),
    }
    if c.get("aspect_ratio") and mode != "edit":
        body["aspect_ratio"] = c["aspect_ratio"]
    video: dict[str, Any] = {"resolution": c.get("resolution") or DEFAULT_RESOLUTION}
    if mode in ("video", "extend"):
        video["duration"] = c.get("duration") or DEFAULT_DURATION
    for flag in ("loop", "hdr", "exr_export"):
        if c.get(flag):
            video[flag] = True
    start = asset_ref(c["start_frame"]) if c.get("start_frame") else None
    end = asset_ref(c["end_frame"]) if c.get("end_frame") else None
    if mode == "edit" and c.get("guide_frame"):
        start = asset_ref(c["guide_frame"])
    if mode == "extend" and source_ref is not None:
        if c.get("direction") == "backward":
            end = source_ref
        else:
            start = source_ref
    elif source_ref is not None:
        body["source"] = source_ref
    if start is not None:
        video["start_frame"] = start
    if end is not None:
        video["end_frame"] = end
    if c.get("keyframes"):
        video["keyframes"], video["keyframe_indexes"] = _keyframes(c["keyframes"])
    edit = _edit_options(c)
    if edit:
        video["edit"] = edit
    position = c.get("source_position")
    if position:
        video["source_position"] = dict(position)
    body["video"] = video
    if user_id:
        body["user_id"] = user_id
    return body


# --- Problems: (form field, message) ------------------------------------------------

_RULE_DETAILS = {(rule.detail, rule.field) for rule in RULES}


def field_for(path: str | None, mode: str, direction: str = "forward") -> str | None:
    """The form field a wire path belongs to in this mode (None: the form as a whole)."""
    if not path:
        return None
    head = re.sub(r"\[\d+\]", "", path)
    if head == "prompt":
        return "prompt"
    if head == "aspect_ratio":
        return "aspect_ratio"
    if head == "source" or head.startswith("source."):
        return "source"
    if head.startswith("video.edit.keyframe"):
        return "edit_keyframes"
    if head.startswith("video.edit.controls."):
        name, _, param = head.removeprefix("video.edit.controls.").partition(".")
        return f"{name}_{param}" if param else f"{name}_enabled"
    if head.startswith("video.edit.strength"):
        return "strength"
    if head.startswith("video.edit"):
        return "controls_mode" if mode == "edit" else "edit_keyframes"
    if head.startswith("video.keyframe"):
        return "keyframes"
    if head.startswith("video.source_position"):
        return "source_position"
    for anchor in ("start_frame", "end_frame"):
        if head.startswith(f"video.{anchor}"):
            # When extending, the anchor holding the clip is the source picker.
            clip_anchor = "end_frame" if direction == "backward" else "start_frame"
            if mode == "extend" and anchor == clip_anchor:
                return "source"
            if mode == "edit" and anchor == "start_frame":
                return "guide_frame"
            return anchor
    name = head.removeprefix("video.")
    return name if name in ("resolution", "duration", "loop", "hdr", "exr_export") else None


_INDEX = re.compile(r"\[(\d+)\]")


def human(err: ContractError, body: dict[str, Any], source_seconds: float | None = None) -> str:
    """Words a person understands for a structural complaint (the rule table has its own)."""
    path = err.path or ""
    if path == "prompt":
        return f"Write a prompt of 1 to {PROMPT_MAX:,} characters."
    if path.endswith(".keyframes") and err.status == 400:
        holder = body.get("video", {})
        if path.startswith("video.edit"):
            holder = holder.get("edit", {})
        count = len(holder.get("keyframes") or [])
        if count > KEYFRAMES_MAX:
            return f"{count} keyframes: at most {KEYFRAMES_MAX}."
        return f"Place between 1 and {KEYFRAMES_MAX} keyframes."
    too_long = source_too_long(err, source_seconds, "That clip")
    if too_long is not None:
        return too_long
    match = _INDEX.search(path)
    if "keyframe_indexes" in path and match:
        holder = body.get("video", {})
        if path.startswith("video.edit"):
            holder = holder.get("edit", {})
        frame = holder.get("keyframe_indexes", [None])[int(match.group(1))]
        if err.status == 400:
            return f"Two keyframes can't share frame {frame}: move one of them."
        grid = "the source video" if path.startswith("video.edit") else "this duration"
        return f"A keyframe at frame {frame} lies past the end of {grid}."
    if path.startswith("video.source_position"):
        return "Place the source so its width and height stay above 0 and within 2× the canvas."
    if path.startswith("user_id"):
        return "Your member id can't be sent: ask an owner to check your membership."
    return err.detail


def problems(
    body: dict[str, Any],
    mode: str,
    direction: str = "forward",
    resolver: SourceResolver | None = None,
) -> list[tuple[str | None, str]]:
    """Every complaint the contract has about this body, each with its form field.

    The first structural problem (validate stops there) plus every rule of the table
    that fires, so several bad combinations show up at once. With ``resolver`` the
    contract also judges the references: what the source is (its length, the grid an
    edit's keyframes sit on) and that every clip and image is there.
    """
    found: list[tuple[str | None, str]] = []
    judged = resolver.judged(body) if resolver is not None else body
    seconds = resolver.source_seconds if resolver is not None else None

    def complain(err: ContractError) -> None:
        if (err.detail, err.path) not in _RULE_DETAILS:
            item = (field_for(err.path, mode, direction), human(err, body, seconds))
            if item not in found:
                found.append(item)

    try:
        request = validate(judged, resolver)
    except ContractError as err:
        complain(err)
        try:
            request = GenerationRequest.model_validate(judged)
        except ValidationError:
            return found
        if resolver is not None:
            # validate stopped before the references: judge them too, so a source that
            # is too long shows up beside a bad combination.
            try:
                check_refs(request, judged, resolver)
            except ContractError as ref_err:
                complain(ref_err)
    for rule in broken_rules(facts_of(request)):
        item = (field_for(rule.field, mode, direction), rule.message)
        if item not in found:
            found.append(item)
    return found
