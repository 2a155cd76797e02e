"""Starting a preview: check the body against the contract, stage its inputs, queue it.

Every image ref is resolved here, in the web request, so a bad one is a clear 4xx at
once: the studio's own uploads (``asset:<n>``, or a Files API id the studio uploaded one
to) and the team's generations are read from the studio's media; ``data`` is decoded and
``url`` fetched through the outbound guard into the preview's folder. Nothing is sent to
any generation API.
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from studio import mediastore
from studio.contract import ContractError, validate
from studio.contract import errors as e
from studio.contract.parsing import parse_id, parse_uuid
from studio.contract.structure import decode_data, iter_refs
from studio.generations.lifecycle import ASSET_PREFIX
from studio.generations.models import Asset, Generation, Output, RemoteFile
from studio.previews.models import Preview, folder_of, media_folder
from studio.teams.models import Membership

NEEDS_ENGINE = "Previews need the local engine, which is switched off here (ENGINE_ENABLED=false)."
INPUTS = "inputs"


class PreviewRefused(Exception):
    """Why a preview cannot start, as an HTTP status and a readable detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def start(membership: Membership, body: Any) -> Preview:
    """Queue a preview of ``body`` for the membership's person; their preview that is
    still queued is replaced (one at a time per person)."""
    if not settings.ENGINE_ENABLED:
        raise PreviewRefused(503, NEEDS_ENGINE)
    try:
        validate(body)
    except ContractError as error:
        raise PreviewRefused(error.status, error.detail) from None
    stored = copy.deepcopy(body)
    preview_id = uuid.uuid4()
    try:
        if mediastore.is_local():
            inputs = _stage(membership, stored, folder_of(preview_id))
        else:
            # Staged in scratch, then kept in the bucket, where any worker finds them.
            with mediastore.scratch_dir() as scratch:
                inputs = _stage(membership, stored, scratch)
                for entry in inputs.values():
                    if "file" in entry:
                        name = f"{media_folder(preview_id)}/{entry['file']}"
                        mediastore.put(name, scratch / entry["file"])
        preview = Preview.objects.create(
            id=preview_id,
            owner=membership.user,
            team=membership.team,
            request=stored,
            inputs=inputs,
        )
    except BaseException:
        mediastore.delete_folder(media_folder(preview_id))
        raise
    _replace_older(preview)
    return preview


def _replace_older(preview: Preview) -> None:
    """Drop the person's other queued previews made before this one. Two starts at once
    each drop only older ones, so the newest is the one left waiting."""
    with transaction.atomic():
        older = list(
            Preview.objects.filter(
                owner_id=preview.owner_id,
                state=Preview.State.QUEUED,
                created_at__lte=preview.created_at,
            )
            .exclude(id=preview.id)
            .values_list("id", flat=True)
        )
        # Conditional: one a worker claimed meanwhile renders on, and is kept.
        Preview.objects.filter(id__in=older, state=Preview.State.QUEUED).delete()
    for old_id in older:
        if not Preview.objects.filter(id=old_id).exists():
            mediastore.delete_folder(media_folder(old_id))


def _stage(membership: Membership, body: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Resolve every ref of ``body`` (changed in place: inline data is replaced by the
    staged file's name); returns field path -> {"file": in the folder} or {"media": a
    stored name}."""
    inputs: dict[str, Any] = {}
    video_source = body.get("type") in ("video_edit", "video_reframe")
    for n, (path, ref) in enumerate(iter_refs(body)):
        name = f"{INPUTS}/{n:02d}.bin"
        if ref.get("data") is not None:
            (folder / INPUTS).mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(decode_data(ref["data"], path))
            ref["data"] = f"<staged {n:02d}.bin>"
            inputs[path] = {"file": name}
        elif ref.get("url") is not None:
            (folder / INPUTS).mkdir(parents=True, exist_ok=True)
            _fetch(ref["url"], folder / name, path, video=video_source and path == "source")
            inputs[path] = {"file": name}
        elif ref.get("file_id") is not None:
            inputs[path] = {"media": _asset_of(membership, str(ref["file_id"]), path).file.name}
        else:
            inputs[path] = {"media": _video_of(membership, ref.get("generation_id"), path)}
    return inputs


def _fetch(url: str, dest: Path, path: str, *, video: bool) -> None:
    # The engine's fetch: the outbound guard, its caps and the contract's strings.
    from studio.engine.errors import ApiFailure
    from studio.engine.fetch import fetch

    try:
        fetch(url, dest, path=path, video=video)
    except ApiFailure as failure:
        raise PreviewRefused(failure.status, failure.detail) from None


def _asset_of(membership: Membership, file_id: str, path: str) -> Asset:
    """One of the team's uploads: by the composer's placeholder, or by the Files API id
    the studio uploaded it to."""
    assets = Asset.objects.filter(team_id=membership.team_id)
    found = None
    if file_id.startswith(ASSET_PREFIX):
        asset_id = parse_id(file_id.removeprefix(ASSET_PREFIX))
        found = assets.filter(id=asset_id).first() if asset_id is not None else None
    elif parse_uuid(file_id) is not None:
        remote = RemoteFile.objects.filter(file_id=file_id, asset__team_id=membership.team_id)
        found = assets.filter(remote_files__in=remote).first()
    if found is None:
        raise PreviewRefused(422, e.file_not_ready(path))
    return found


def _video_of(membership: Membership, generation_id: Any, path: str) -> str:
    """The stored video of one of the team's completed generations, by its API id."""
    remote_id = parse_uuid(generation_id)
    output = (
        Output.objects.filter(
            generation__team_id=membership.team_id,
            generation__remote_id=remote_id,
            generation__state=Generation.State.COMPLETED,
            kind=Output.Kind.VIDEO,
        ).first()
        if remote_id is not None
        else None
    )
    if output is None or not output.file.name:
        raise PreviewRefused(422, e.generation_not_completed(path))
    return output.file.name
