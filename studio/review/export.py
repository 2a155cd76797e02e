"""Export: a selection, a batch or an extend chain as one zip, written while it is sent.

Each generation gets a folder with its outputs (the original video; its EXR zip when asked)
and ``generation.json``: the request, the remote id, its lineage, approvals and comments.
The archive is never held whole, in memory or on disk: ``zipfile`` writes to a pipe that
cannot seek (so every entry carries a data descriptor after its data), the stored files
are copied through it a chunk at a time, and each chunk is handed to the response as soon
as it is written. Media is stored, not deflated: MP4 and EXR do not compress.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from studio import mediastore
from studio.generations.models import Generation, Output
from studio.review.lineage import ancestors, extend_chain
from studio.review.models import ApprovalEvent, Comment
from studio.timestamps import wire_time

CHUNK = 1 << 20  # bytes read from storage, and so held, at a time
ROWS = 50  # generations fetched per query
# The kinds of output an export carries; EXR frames only when asked (they are large).
KINDS = ("video",)
EXR_KINDS = ("exr",)


@dataclass(frozen=True)
class Selection:
    """What to export: generation ids in order, and a name for the archive."""

    ids: list[Any]
    name: str
    exr: bool = False


class _Pipe:
    """A file that only takes writes: zipfile sees it cannot seek and streams to it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # zipfile leaves a file it was handed open; the chunks stay to be drained

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _person(user: Any) -> str | None:
    return user.email if user is not None else None


def _comment(comment: Comment) -> dict[str, Any]:
    deleted = comment.deleted_at is not None
    return {
        "id": comment.pk,
        "reply_to": comment.parent_id,
        "author": _person(comment.author),
        "guest_name": comment.guest_name or None,
        "frame": comment.frame,
        # A deleted comment that heads replies keeps its place; its text is gone.
        "body": None if deleted else comment.body,
        "deleted": deleted,
        "created_at": wire_time(comment.created_at),
        "resolved_at": wire_time(comment.resolved_at),
        "resolved_by": _person(comment.resolved_by),
    }


def record(generation: Generation, files: dict[str, str], missing: list[str]) -> dict[str, Any]:
    """``generation.json``: what was asked, what came back and what the team said of it."""
    pick = getattr(generation, "pick", None) if generation.picked else None
    return {
        "id": str(generation.id),
        "remote_id": str(generation.remote_id) if generation.remote_id else None,
        "type": generation.kind,
        "action": generation.action,
        "state": generation.state,
        "prompt": generation.prompt,
        "request": generation.request,
        "price": f"{generation.price:.2f}",
        "author": _person(generation.author),
        "batch": str(generation.batch_id) if generation.batch_id else None,
        "take_index": generation.take_index,
        "created_at": wire_time(generation.created_at),
        "finished_at": wire_time(generation.finished_at),
        # A purged generation is a tombstone: its files are gone, its record stays.
        "trashed_at": wire_time(generation.trashed_at),
        "purged_at": wire_time(generation.purged_at),
        "lineage": {
            "parent": str(generation.parent_id) if generation.parent_id else None,
            # Oldest first, this generation excluded.
            "ancestors": [str(g.id) for g in ancestors(generation)[:-1]],
            "children": [str(g.id) for g in generation.children.all()],
        },
        "approval": generation.approval,
        "approvals": [
            {
                "state": e.state,
                "by": _person(e.by),
                "note": e.note,
                "at": wire_time(e.at),
            }
            for e in generation.approval_events.all()
        ],
        "picked": generation.picked,
        "picked_by": _person(pick.by) if pick else None,
        "comments": [_comment(c) for c in generation.comments.all()],
        # Output kind → the file's path inside this archive.
        "files": files,
        # Outputs on record whose file could not be read from storage (one being purged).
        "missing": missing,
    }


def _rows(ids: list[Any]) -> Iterator[Generation]:
    """The generations of ``ids`` in that order, a few queries per ``ROWS`` of them."""
    for at in range(0, len(ids), ROWS):
        part = ids[at : at + ROWS]
        found = {
            g.id: g
            for g in Generation.objects.filter(id__in=part)
            .select_related("author", "pick__by")
            .prefetch_related(
                "outputs",
                Prefetch("children", queryset=Generation.objects.only("id", "parent_id")),
                Prefetch(
                    "approval_events",
                    queryset=ApprovalEvent.objects.select_related("by").order_by("at", "id"),
                ),
                Prefetch(
                    "comments",
                    queryset=Comment.objects.select_related("author", "resolved_by").order_by(
                        "created_at", "id"
                    ),
                ),
            )
        }
        for ident in part:
            if ident in found:
                yield found[ident]


def _entry(name: str, moment: Any, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime(moment).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    # zipfile picks ZIP64 headers from the announced size (files past 4 GiB need them).
    info.file_size = size
    return info


def stream(selection: Selection) -> Iterator[bytes]:
    """The archive's bytes, a chunk at a time; at most about ``CHUNK`` held at once."""
    pipe = _Pipe()
    kinds = KINDS + EXR_KINDS if selection.exr else KINDS
    index: list[dict[str, Any]] = []
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for number, generation in enumerate(_rows(selection.ids), start=1):
            folder = f"{number:03d}-{str(generation.id)[:8]}"
            files: dict[str, str] = {}
            missing: list[str] = []
            outputs: Iterable[Output] = sorted(
                (o for o in generation.outputs.all() if o.kind in kinds),
                key=lambda o: kinds.index(o.kind),
            )
            for output in outputs:
                stored = mediastore.name_of(output.file)
                name = f"{folder}/{output.kind}{PurePosixPath(stored).suffix}"
                storage = output.file.storage  # the field's own, local or S3-compatible
                try:
                    size = storage.size(stored)
                    handle = storage.open(stored, "rb")
                except (OSError, ValueError):
                    missing.append(output.kind)
                    continue
                with handle, archive.open(_entry(name, output.created_at, size), "w") as entry:
                    while chunk := handle.read(CHUNK):
                        entry.write(chunk)
                        yield pipe.drain()
                files[output.kind] = name
                yield pipe.drain()
            body = json.dumps(record(generation, files, missing), indent=2, ensure_ascii=False)
            data = body.encode()
            archive.writestr(
                _entry(f"{folder}/generation.json", generation.created_at, len(data)), data
            )
            index.append({"folder": folder, "id": str(generation.id)})
            yield pipe.drain()
        data = json.dumps({"export": selection.name, "generations": index}, indent=2).encode()
        archive.writestr(_entry("export.json", timezone.now(), len(data)), data)
    yield pipe.drain()


# --- What a request asks for --------------------------------------------------------------

MAX_SELECTION = 500  # ids named in one query string
YES = ("1", "yes", "on", "true")


class ExportError(ValueError):
    """A request that names nothing to export, or too much at once (a 400)."""


def _name(kind: str, ident: Any) -> str:
    return f"{kind}-{str(ident)[:8]}" if ident else f"{kind}-{timezone.now():%Y%m%d-%H%M}"


def selection_of(team: Any, ids: list[Any], *, exr: bool) -> Selection:
    """Ticked generations of ``team``, in the order given (each once); ids are UUIDs."""
    if not ids:
        raise ExportError("Choose at least one generation to export.")
    if len(ids) > MAX_SELECTION:
        raise ExportError(f"Export at most {MAX_SELECTION} generations at once.")
    unique = list(dict.fromkeys(ids))
    # What the gallery lists: a trashed generation is not there to tick.
    rows = Generation.objects.live().filter(team=team, id__in=unique)
    found = set(rows.values_list("id", flat=True))
    if len(found) != len(unique):
        # Another team's generation is as missing as an unknown one.
        raise Http404("No such generation")
    return Selection(unique, _name("export", None), exr)


def batch_selection(batch: Any, *, exr: bool) -> Selection:
    """Every take of a batch still out of the trash, in take order."""
    ids = list(
        Generation.objects.live()
        .filter(batch=batch, team_id=batch.team_id)
        .order_by("take_index", "created_at", "id")
        .values_list("id", flat=True)
    )
    return Selection(ids, _name("batch", batch.id), exr)


def chain_selection(generation: Generation, *, exr: bool) -> Selection:
    """The extend chain through a generation, in playing order."""
    return Selection([g.id for g in extend_chain(generation)], _name("chain", generation.id), exr)
