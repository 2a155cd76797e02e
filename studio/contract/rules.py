"""THE rule table of the Ray 3.2 wire contract: the single source of every rule.

``RULES`` below is data. Each row says which request types it applies to, the facts
that make it fire, and what to answer (``status``, the exact ``detail``) or show a
person (``message``) when it does. The local engine answers from it, the studio's
forms attach ``message`` to ``field`` from it, and the composer's JavaScript gets the
same rows through ``rules_as_json()`` and evaluates the same conditions live. Nothing
else in the project may restate a rule: import this module instead.

A request is checked by ``validate`` in a fixed order:

1. shape checks, each value on its own (400s; ``structure.check_shapes``),
2. the 400 rows of the table (a field the type requires),
3. structural 422s: keyframe pairing, an index past the grid, a source that is not a
   video, inline data that does not decode (``structure.check_pairing``/``check_media``),
4. the 422 rows of the table, in table order,
5. references that need the server's data, through a ``RefResolver``.

Facts are a flat, JSON-friendly dict (see ``facts_of``):

    type           "video" | "video_edit" | "video_reframe"
    resolution     "360p" | "540p" | "720p" | "1080p"   (default filled in)
    duration       "5s" | "10s"                         (default filled in)
    aspect_ratio   one of the six, or None
    loop, hdr, exr_export                               bools (absent = False)
    start_frame, end_frame  "none" | "image" | "generation" (a file_id counts as image)
    keyframes      video.keyframes or video.keyframe_indexes present
    edit           video.edit present
    edit_keyframes video.edit.keyframes or video.edit.keyframe_indexes present
    auto_controls  video.edit.auto_controls is true
    strength_or_controls  video.edit.strength or video.edit.controls present
    source, source_position  present
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from . import errors as e
from .errors import ContractError, ours
from .grid import source_max_index
from .models import (
    EDIT_SOURCE_MAX_SECONDS,
    REFRAME_SOURCE_MAX_SECONDS,
    GenerationRequest,
    ImageRef,
)
from .parsing import parse_uuid
from .structure import check_media, check_pairing, check_shapes, iter_refs

FactValue = str | bool | None


@dataclass(frozen=True)
class Rule:
    name: str
    types: tuple[str, ...]
    when: dict[str, FactValue | tuple[FactValue, ...]]
    detail: str
    field: str
    message: str
    status: int = 422

    def fires(self, facts: dict[str, Any]) -> bool:
        if facts.get("type") not in self.types:
            return False
        for fact, wanted in self.when.items():
            value = facts.get(fact, _MISSING)
            allowed = wanted if isinstance(wanted, tuple) else (wanted,)
            # `is`-aware match: True must not equal 1, nor False 0.
            if not any(type(value) is type(a) and value == a for a in allowed):
                return False
        return True

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "types": list(self.types),
            "when": {k: list(v) if isinstance(v, tuple) else v for k, v in self.when.items()},
            "status": self.status,
            "field": self.field,
            "message": self.message,
            "detail": self.detail,
        }


_MISSING = object()
VIDEO = ("video",)
EDIT = ("video_edit",)
REFRAME = ("video_reframe",)
ANCHOR = ("image", "generation")


def _not_for(path: str, type_: str) -> str:
    return e.not_for_type(path, type_)


# fmt: off
RULES: tuple[Rule, ...] = (
    # -- A field the type requires (400) --------------------------------------------
    Rule("edit_source_required", EDIT, {"source": False},
         e.EDIT_SOURCE_REQUIRED, "source",
         "Choose the video to edit.", 400),
    Rule("reframe_source_required", REFRAME, {"source": False},
         ours("reframe_source_required"), "source",
         "Choose the video to reframe.", 400),
    Rule("reframe_aspect_required", REFRAME, {"aspect_ratio": None},
         e.REFRAME_ASPECT_REQUIRED, "aspect_ratio",
         "Choose the aspect ratio to reframe to.", 400),
    # -- type "video": contract §4.1, in its order ----------------------------------
    Rule("keyframes_with_start_frame", VIDEO, {"keyframes": True, "start_frame": ANCHOR},
         ours("keyframes_with_anchor"), "video.keyframes",
         "Keyframes replace the start and end frames: use one or the other."),
    Rule("keyframes_with_end_frame", VIDEO, {"keyframes": True, "end_frame": ANCHOR},
         ours("keyframes_with_anchor"), "video.keyframes",
         "Keyframes replace the start and end frames: use one or the other."),
    Rule("loop_with_keyframes", VIDEO, {"keyframes": True, "loop": True},
         ours("loop_with_keyframes"), "video.loop",
         "Loop isn't available with keyframes."),
    Rule("ten_s_with_start_frame", VIDEO, {"duration": "10s", "start_frame": ANCHOR},
         ours("ten_s_with_anchor"), "video.duration",
         "10 s isn't available with start or end frames: use keyframes for 10 s."),
    Rule("ten_s_with_end_frame", VIDEO, {"duration": "10s", "end_frame": ANCHOR},
         ours("ten_s_with_anchor"), "video.duration",
         "10 s isn't available with start or end frames: use keyframes for 10 s."),
    Rule("ten_s_with_hdr", VIDEO, {"duration": "10s", "hdr": True},
         ours("ten_s_with_hdr"), "video.duration",
         "HDR videos are 5 s long: choose 5 s or turn HDR off."),
    Rule("loop_with_ten_s", VIDEO, {"loop": True, "duration": "10s"},
         ours("loop_with_ten_s"), "video.loop",
         "Loops are 5 s long: choose 5 s or turn loop off."),
    Rule("loop_with_hdr", VIDEO, {"loop": True, "hdr": True},
         ours("loop_with_hdr"), "video.loop",
         "Loop isn't available with HDR."),
    Rule("loop_with_end_frame", VIDEO, {"loop": True, "end_frame": ANCHOR},
         ours("loop_with_end_frame"), "video.loop",
         "Loop isn't available with an end frame (nor when extending backwards)."),
    Rule("hdr_low_resolution", VIDEO + EDIT, {"hdr": True, "resolution": ("360p", "540p")},
         ours("hdr_resolution"), "video.hdr",
         "HDR needs 720p or 1080p."),
    Rule("exr_without_hdr", VIDEO + EDIT, {"exr_export": True, "hdr": False},
         ours("exr_without_hdr"), "video.exr_export",
         "EXR export needs HDR: turn HDR on first."),
    Rule("edit_outside_edit", VIDEO + REFRAME, {"edit": True},
         ours("edit_not_edit_type"), "video.edit",
         "Edit settings only apply when editing a video."),
    Rule("source_on_video", VIDEO, {"source": True},
         ours("source_on_video"), "source",
         "A new video has no source: to continue a video, use it as the start frame."),
    Rule("extend_from_both_anchors", VIDEO, {"start_frame": "generation", "end_frame": ANCHOR},
         ours("extend_interpolation"), "video.end_frame",
         "When extending a video, leave the other frame empty."),
    Rule("extend_with_image_start", VIDEO, {"start_frame": "image", "end_frame": "generation"},
         ours("extend_interpolation"), "video.end_frame",
         "When extending a video, leave the other frame empty."),
    Rule("hdr_with_image_start", VIDEO, {"hdr": True, "start_frame": "image"},
         ours("hdr_with_image_anchor"), "video.hdr",
         "HDR isn't available with start or end frames: use keyframes for HDR."),
    Rule("hdr_with_image_end", VIDEO, {"hdr": True, "end_frame": "image"},
         ours("hdr_with_image_anchor"), "video.hdr",
         "HDR isn't available with start or end frames: use keyframes for HDR."),
    # EXR needs HDR, so these two rows also cover an extend asking for EXR.
    Rule("extend_forward_hdr", VIDEO, {"start_frame": "generation", "hdr": True},
         ours("extend_hdr"), "video.hdr",
         "Extending a video is SDR only: turn HDR off."),
    Rule("extend_backward_hdr", VIDEO, {"end_frame": "generation", "hdr": True},
         ours("extend_hdr"), "video.hdr",
         "Extending a video is SDR only: turn HDR off."),
    Rule("source_position_outside_reframe", VIDEO + EDIT, {"source_position": True},
         ours("source_position_not_reframe"), "video.source_position",
         "Source placement only applies when reframing a video."),
    # -- type "video_edit" ----------------------------------------------------------
    Rule("edit_auto_with_manual", EDIT, {"auto_controls": True, "strength_or_controls": True},
         ours("edit_auto_with_manual"), "video.edit.auto_controls",
         "Automatic controls choose strength and controls for you: turn them off "
         "to set your own."),
    Rule("edit_end_frame", EDIT, {"end_frame": ANCHOR},
         _not_for("video.end_frame", "video_edit"), "video.end_frame",
         "An edit takes no end frame."),
    Rule("edit_loop", EDIT, {"loop": True},
         _not_for("video.loop", "video_edit"), "video.loop",
         "Loop is only for new videos, not edits."),
    Rule("edit_video_keyframes", EDIT, {"keyframes": True},
         ours("video_keyframes_on_edit"), "video.keyframes",
         "An edit places its keyframes on the source video's timeline."),
    Rule("edit_keyframes_with_start_frame", EDIT, {"edit_keyframes": True, "start_frame": ANCHOR},
         ours("edit_keyframes_with_start_frame"), "video.edit.keyframes",
         "Use either a guide frame or edit keyframes, not both."),
    # -- type "video_reframe" -------------------------------------------------------
    Rule("reframe_1080p_portrait", REFRAME, {"resolution": "1080p", "aspect_ratio": ("9:16", "3:4")},
         e.REFRAME_1080P_PORTRAIT, "video.resolution",
         "Reframing to 9:16 or 3:4 isn't available in 1080p yet: choose 720p or lower."),
    Rule("reframe_hdr", REFRAME, {"hdr": True},
         _not_for("video.hdr", "video_reframe"), "video.hdr",
         "Reframing keeps the source's range: HDR isn't available."),
    Rule("reframe_exr", REFRAME, {"exr_export": True},
         _not_for("video.exr_export", "video_reframe"), "video.exr_export",
         "EXR export isn't available when reframing."),
    Rule("reframe_loop", REFRAME, {"loop": True},
         _not_for("video.loop", "video_reframe"), "video.loop",
         "Loop is only for new videos, not reframes."),
    Rule("reframe_start_frame", REFRAME, {"start_frame": ANCHOR},
         _not_for("video.start_frame", "video_reframe"), "video.start_frame",
         "A reframe takes no start frame."),
    Rule("reframe_end_frame", REFRAME, {"end_frame": ANCHOR},
         _not_for("video.end_frame", "video_reframe"), "video.end_frame",
         "A reframe takes no end frame."),
    Rule("reframe_keyframes", REFRAME, {"keyframes": True},
         _not_for("video.keyframes", "video_reframe"), "video.keyframes",
         "A reframe takes no keyframes."),
)
# fmt: on

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}
assert len(RULES_BY_NAME) == len(RULES), "rule names must be unique"


def _anchor(ref: ImageRef | None) -> str:
    if ref is None:
        return "none"
    return "generation" if ref.generation_id is not None else "image"


def facts_of(request: GenerationRequest) -> dict[str, Any]:
    video = request.options
    edit = video.edit
    return {
        "type": request.type,
        "resolution": video.effective_resolution,
        "duration": video.effective_duration,
        "aspect_ratio": request.aspect_ratio,
        "loop": bool(video.loop),
        "hdr": bool(video.hdr),
        "exr_export": bool(video.exr_export),
        "start_frame": _anchor(video.start_frame),
        "end_frame": _anchor(video.end_frame),
        "keyframes": video.keyframes is not None or video.keyframe_indexes is not None,
        "edit": edit is not None,
        "edit_keyframes": edit is not None
        and (edit.keyframes is not None or edit.keyframe_indexes is not None),
        "auto_controls": bool(edit and edit.auto_controls),
        "strength_or_controls": edit is not None
        and (edit.strength is not None or edit.controls is not None),
        "source": request.source is not None,
        "source_position": video.source_position is not None,
    }


def broken_rules(facts: dict[str, Any]) -> list[Rule]:
    """Every rule that fires on these facts, in table order."""
    return [rule for rule in RULES if rule.fires(facts)]


def rules_as_json() -> list[dict[str, Any]]:
    """The table for the browser (``json_script``): same rows, lists for tuples."""
    return [rule.as_json() for rule in RULES]


class RefResolver(Protocol):
    """The server's answers about references, for ``validate``.

    Ids that are not UUIDs never reach the resolver; they are rejected as unknown.
    """

    def file_ready(self, file_id: str) -> bool:
        """Whether the caller owns a file with this id in state ``ready``."""
        ...

    def completed_video(self, generation_id: str) -> float | None:
        """The length in seconds of the caller's completed video generation with
        this id, on the 24 fps grid ((frames - 1) / 24: a 5s video is 5.0), or
        None when there is no such completed video of the caller's."""
        ...


def is_uuid(value: str) -> bool:
    """Whether a generation or file id has the API's id shape (a UUID)."""
    return parse_uuid(value) is not None


# How long the source of each type may run (seconds), and the complaint past that.
SOURCE_LIMITS: dict[str, tuple[int, str]] = {
    "video_edit": (EDIT_SOURCE_MAX_SECONDS, e.EDIT_SOURCE_TOO_LONG),
    "video_reframe": (REFRAME_SOURCE_MAX_SECONDS, ours("reframe_source_too_long")),
}


def source_too_long(type_: str, seconds: float) -> ContractError | None:
    """The contract's complaint about a source this long for a ``type_`` request, or None
    when it may be one (or the type takes no source)."""
    limit = SOURCE_LIMITS.get(type_)
    if limit is None or seconds <= limit[0]:
        return None
    return ContractError(422, limit[1], "source")


def check_refs(request: GenerationRequest, body: dict[str, Any], resolver: RefResolver) -> None:
    """Ref lookups, source length limits and the edit keyframe grid (all 422)."""
    source_seconds: float | None = None
    for path, ref in iter_refs(body):
        file_id, generation_id = ref.get("file_id"), ref.get("generation_id")
        if file_id is not None and not (is_uuid(file_id) and resolver.file_ready(file_id)):
            raise ContractError(422, e.file_not_ready(path), f"{path}.file_id")
        if generation_id is not None:
            seconds = resolver.completed_video(generation_id) if is_uuid(generation_id) else None
            if seconds is None:
                raise ContractError(422, e.generation_not_completed(path), f"{path}.generation_id")
            if path == "source":
                source_seconds = seconds
    seconds = source_seconds
    if seconds is None:
        return
    too_long = source_too_long(request.type, seconds)
    if too_long is not None:
        raise too_long
    edit = request.options.edit
    if request.type == "video_edit" and edit is not None and edit.keyframe_indexes:
        top = source_max_index(seconds)
        path = "video.edit.keyframe_indexes"
        for i, index in enumerate(edit.keyframe_indexes):
            if index > top:
                detail = ours("edit_keyframe_index_outside", path=path, i=i, n=index, max=top)
                raise ContractError(422, detail, f"{path}[{i}]")


def _path_of(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "body"


def _first_broken(facts: dict[str, Any], status: int) -> None:
    for rule in broken_rules(facts):
        if rule.status == status:
            raise ContractError(rule.status, rule.detail, rule.field)


def validate(body: object, resolver: RefResolver | None = None) -> GenerationRequest:
    """Check an untrusted request body against the whole contract.

    Returns the request, or raises ContractError (and nothing else) with the status
    and detail to answer. With ``resolver`` None the lookups that need the server's
    data are skipped, which is what a client's pre-flight can check.
    """
    checked = check_shapes(body)
    try:
        request = GenerationRequest.model_validate(checked)
    except ValidationError as exc:
        # Only reachable if the shape checks and the models ever disagree.
        loc = exc.errors()[0]["loc"] if exc.errors() else ()
        path = _path_of(tuple(loc))
        raise ContractError(400, ours("invalid_value", path=path), path) from None
    facts = facts_of(request)
    _first_broken(facts, 400)
    check_pairing(checked)
    check_media(checked)
    _first_broken(facts, 422)
    if resolver is not None:
        check_refs(request, checked, resolver)
    return request
