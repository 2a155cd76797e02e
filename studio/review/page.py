"""What a generation's page shows, gathered once for the member view and the share view."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.safestring import SafeString

from studio.contract import FPS
from studio.generations.lifecycle import ASSET_PREFIX
from studio.generations.models import Asset, Generation, Output
from studio.review.models import Comment
from studio.review.services import render_body, team_handles

ACTION_LINKS = (
    ("extend_forward", "Extend forward"),
    ("extend_backward", "Extend backward"),
    ("edit", "Edit"),
    ("reframe", "Reframe"),
    ("remix", "Remix"),
)
DOWNLOAD_KINDS = ("video", "exr", "poster")
# States in which a generation still moves without a person: its page keeps polling
# (static/generations/progress.js reads them from the progress partial).
ACTIVE_STATES = (*Generation.UNSENT, *Generation.IN_FLIGHT)


@dataclass
class Player:
    output: Output
    fps: float
    frames: int | None


def outputs_by_kind(generation: Generation) -> dict[str, Output]:
    return {o.kind: o for o in generation.outputs.all()}


def player_for(generation: Generation, outputs: dict[str, Output]) -> Player | None:
    """The browser-playable file: the original, or the SDR preview of an HDR original."""
    video = outputs.get("video")
    preview = outputs.get("preview")
    chosen = (
        preview if (preview and (generation.hdr or (video and video.hdr))) else video or preview
    )
    if chosen is None:
        return None
    return Player(chosen, chosen.fps or FPS, chosen.frames)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A request body as (dotted path, shown value) rows; inline base64 is summarised."""
    rows: list[tuple[str, str]] = []
    if isinstance(value, dict):
        if "data" in value and isinstance(value["data"], str) and len(value["data"]) > 80:
            size = len(value["data"]) * 3 // 4
            shown = f"{size} bytes" if size < 1024 else f"{size // 1024} KiB"
            return [(prefix, f"inline {value.get('media_type', 'data')}, ~{shown}")]
        for key, item in value.items():
            rows.extend(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value and all(not isinstance(v, dict | list) for v in value):
        rows.append((prefix, ", ".join(json.dumps(v) for v in value)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            rows.extend(flatten(item, f"{prefix}[{i}]"))
    else:
        shown = value if isinstance(value, str) else json.dumps(value)
        rows.append((prefix, shown))
    return rows


# Where an uploaded input sits in a composition, in the order the page shows them.
SLOT_ORDER = ("source", "start_frame", "guide_frame", "keyframe", "edit_keyframe", "end_frame")
SLOT_LABELS = {
    "source": "Source video",
    "start_frame": "Start frame",
    "guide_frame": "Guide frame",
    "keyframe": "Keyframe",
    "edit_keyframe": "Edit keyframe",
    "end_frame": "End frame",
}

Slot = tuple[str, int | None]  # (slot name, frame for keyframes)


@dataclass(frozen=True)
class InputAsset:
    """One uploaded image or video a generation used, with every role it played."""

    asset: Asset
    roles: tuple[str, ...]

    @property
    def label(self) -> str:
        return ", ".join(self.roles)


def _asset_id(value: Any) -> int | None:
    """An asset id as the composer stores it: a bare id (``{"asset": id}`` in older rows)."""
    if isinstance(value, dict):
        value = value.get("asset")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _placeholder_id(ref: Any) -> int | None:
    """The asset behind a body reference ``{"file_id": "asset:<id>"}``, if it is one."""
    file_id = ref.get("file_id") if isinstance(ref, dict) else None
    if isinstance(file_id, str) and file_id.startswith(ASSET_PREFIX):
        rest = file_id.removeprefix(ASSET_PREFIX)
        return int(rest) if rest.isdigit() else None
    return None


def _keyframe_slots(
    refs: Any, frames: Any, slot: str, to_id: Callable[[Any], int | None]
) -> list[tuple[int, Slot]]:
    found: list[tuple[int, Slot]] = []
    refs = refs if isinstance(refs, list) else []
    frames = frames if isinstance(frames, list) else []
    for i, ref in enumerate(refs):
        asset_id = to_id(ref)
        frame = frames[i] if i < len(frames) and isinstance(frames[i], int) else None
        if asset_id is not None:
            found.append((asset_id, (slot, frame)))
    return found


def _composition_slots(c: dict[str, Any]) -> list[tuple[int, Slot]]:
    """The composer form's fields (``ComposeForm.composition()``), for rows without a body."""
    found: list[tuple[int, Slot]] = []
    for field in ("start_frame", "end_frame", "guide_frame"):
        asset_id = _asset_id(c.get(field))
        if asset_id is not None:
            found.append((asset_id, (field, None)))
    for field, slot in (("keyframes", "keyframe"), ("edit_keyframes", "edit_keyframe")):
        items = [k for k in c.get(field) or [] if isinstance(k, dict)]
        found += _keyframe_slots(items, [k.get("frame") for k in items], slot, _asset_id)
    source = c.get("source")
    if isinstance(source, str) and source.startswith("a:") and source[2:].isdigit():
        found.append((int(source[2:]), ("source", None)))
    return found


def _object_at(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body[key]`` when it is a JSON object, else an empty one."""
    found = body.get(key)
    return found if isinstance(found, dict) else {}


def _body_slots(body: dict[str, Any]) -> list[tuple[int, Slot]]:
    """The recorded wire body (``build_body``), whose assets stand as placeholders."""
    found: list[tuple[int, Slot]] = []
    video = _object_at(body, "video")
    edit = _object_at(video, "edit")
    asset_id = _placeholder_id(body.get("source"))
    if asset_id is not None:
        found.append((asset_id, ("source", None)))
    # An edit's start frame is the guide frame the person chose.
    start = "guide_frame" if body.get("type") == "video_edit" else "start_frame"
    for key, slot in (("start_frame", start), ("end_frame", "end_frame")):
        asset_id = _placeholder_id(video.get(key))
        if asset_id is not None:
            found.append((asset_id, (slot, None)))
    found += _keyframe_slots(
        video.get("keyframes"), video.get("keyframe_indexes"), "keyframe", _placeholder_id
    )
    found += _keyframe_slots(
        edit.get("keyframes"), edit.get("keyframe_indexes"), "edit_keyframe", _placeholder_id
    )
    return found


def _role(slot: Slot, asset: Asset) -> str:
    name, frame = slot
    # Extending an uploaded clip puts the clip in an anchor frame: it is the source.
    if name in ("start_frame", "end_frame") and asset.kind == Asset.Kind.VIDEO:
        name = "source"
    label = SLOT_LABELS[name]
    return label if frame is None else f"{label} @ {frame}"


def input_assets(generation: Generation) -> list[InputAsset]:
    """Every uploaded image and video the generation used, each once with its roles.

    The body the composer recorded under ``_body`` is read when there is one: it is what
    was sent (a field the chosen mode leaves out can linger in the composition). Rows
    without it are read from the composition's fields.
    """
    composition = generation.composition if isinstance(generation.composition, dict) else {}
    body = composition.get("_body")
    slots = _body_slots(body) if isinstance(body, dict) else _composition_slots(composition)
    if not slots:
        return []
    ids = {asset_id for asset_id, _slot in slots}
    assets = {a.pk: a for a in Asset.objects.filter(team_id=generation.team_id, pk__in=ids)}

    def place(item: tuple[int, Slot]) -> tuple[int, int]:
        name, frame = item[1]
        return SLOT_ORDER.index(name), frame or 0

    roles: dict[int, list[str]] = {}
    for asset_id, slot in sorted(slots, key=place):
        asset = assets.get(asset_id)
        if asset is None:
            continue
        role = _role(slot, asset)
        if role not in roles.setdefault(asset_id, []):
            roles[asset_id].append(role)
    return [InputAsset(assets[i], tuple(r)) for i, r in roles.items()]


@dataclass(frozen=True)
class Posted:
    """A comment with its body rendered, mentions of members highlighted."""

    comment: Comment
    html: SafeString


@dataclass(frozen=True)
class Thread:
    """A top-level comment and its replies, oldest first."""

    comment: Comment
    html: SafeString
    replies: list[Posted]


def threads(generation: Generation) -> list[Thread]:
    """Top-level comments with their replies (two queries), bodies rendered with mentions."""
    handles = set(team_handles(generation.team_id))
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    roots = list(
        Comment.objects.filter(generation=generation, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("frame", "created_at", "id")
    )
    return [
        Thread(
            comment,
            render_body(comment.body, handles),
            [Posted(reply, render_body(reply.body, handles)) for reply in comment.replies.all()],
        )
        for comment in roots
    ]


def marks(roots: list[Thread]) -> list[dict[str, Any]]:
    """The timeline's marks and ranges, for the player script, each with the drawings of
    its thread (shown over the video from `frame` to `end_frame`, and as thumbnails)."""
    found = []
    for thread in roots:
        c = thread.comment
        if c.frame is None:
            continue
        replies = [r.comment for r in thread.replies]
        drawn = [c, *replies] if not c.is_deleted else replies
        found.append(
            {
                "id": c.pk,
                "frame": c.frame,
                "end_frame": c.end_frame,
                "resolved": c.is_resolved,
                "text": "[deleted]" if c.is_deleted else c.body[:80],
                "drawings": [
                    {"id": d.pk, "shapes": d.drawing["shapes"]} for d in drawn if d.drawing
                ],
            }
        )
    return found


def member_handles(team_id: int) -> list[str]:
    return sorted(team_handles(team_id))
