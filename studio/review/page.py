"""What a generation's page shows, gathered once for the member view and the share view."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from studio.contract import FPS
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


def template_exists(name: str) -> bool:
    """Whether another area's partial has landed (it is included only then)."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


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


def _asset_ids(value: Any, found: list[int]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("asset", "asset_id") and isinstance(item, int):
                found.append(item)
            elif key == "asset_ids" and isinstance(item, list):
                found.extend(i for i in item if isinstance(i, int))
            else:
                _asset_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _asset_ids(item, found)


def input_assets(generation: Generation) -> list[Asset]:
    """The uploaded images and videos the composition used, in the order it names them."""
    ids: list[int] = []
    _asset_ids(generation.composition, ids)
    if not ids:
        return []
    assets = {a.pk: a for a in Asset.objects.filter(team_id=generation.team_id, pk__in=ids)}
    seen: set[int] = set()
    ordered = []
    for i in ids:
        if i in assets and i not in seen:
            seen.add(i)
            ordered.append(assets[i])
    return ordered


def threads(generation: Generation) -> list[Comment]:
    """Top-level comments with their replies (two queries), bodies rendered with mentions."""
    handles = set(team_handles(generation.team_id))
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    roots = list(
        Comment.objects.filter(generation=generation, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("frame", "created_at", "id")
    )
    for comment in roots:
        comment.html = render_body(comment.body, handles)  # type: ignore[attr-defined]
        for reply in comment.replies.all():
            reply.html = render_body(reply.body, handles)  # type: ignore[attr-defined]
    return roots


def marks(roots: list[Comment]) -> list[dict[str, Any]]:
    """The timeline's marks, for the player script."""
    return [
        {
            "id": c.pk,
            "frame": c.frame,
            "resolved": c.is_resolved,
            "text": "[deleted]" if c.is_deleted else c.body[:80],
        }
        for c in roots
        if c.frame is not None
    ]


def member_handles(team_id: int) -> list[str]:
    return sorted(team_handles(team_id))
