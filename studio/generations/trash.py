"""The trash: move generations in, take them back out, and purge them for good.

    live → trashed (trashed_at) → restored (live again)
                               ↘ purged (purged_at): files deleted, the row kept as a tombstone

Every change is one conditional UPDATE on the row, so a restore racing a purge is decided
by whichever UPDATE comes first: a purge changes only a row still in the trash, a restore
only a row not yet purged. Files are deleted only after the row is committed as purged,
and only files of that generation (its outputs, and its uploaded inputs that no other
generation still uses), through the storage their fields use.

A purge is idempotent and safe to interrupt: an Output row is deleted after its file, so
a purge cut short leaves a purged row that still has outputs, and the next purge finishes
it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from studio.generations.lifecycle import EventKind, event, placeholder_assets
from studio.generations.models import Asset, Generation, Output
from studio.teams.models import Membership, Team

log = logging.getLogger("studio.trash")

# Only a generation the studio is done with can go to the trash: a waiting one is
# cancelled first, and one the API is working on is left to finish.
TRASHABLE = Generation.FINISHED

NOT_YOURS = "Only its author or an owner can move this generation to the trash or restore it."
NOT_FINISHED = "Only a finished generation can go to the trash; this one is {state}."
ALREADY_TRASHED = "This generation is already in the trash."
NOT_TRASHED = "This generation is not in the trash."
ALREADY_PURGED = "This generation was purged: its files are gone and it cannot be restored."
PURGED_OUTPUTS = "This generation was purged: its outputs are gone."


class TrashRefused(Exception):
    """A trash or restore that cannot be done, with the sentence that says why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def may_trash(membership: Membership, generation: Generation) -> bool:
    """A member who may compose, for their own generations; an owner, for anyone's."""
    if membership.team_id != generation.team_id or not membership.can("compose"):
        return False
    return generation.author_id == membership.user_id or membership.can("manage")


def _author_detail(by: User | None) -> str:
    if by is None:
        return "by a retention rule"
    return f"by {by.email}"


def trash(generation: Generation, by: User | None, *, detail: str = "") -> None:
    """Move one generation to the trash (``by`` None: a retention rule did it).

    Raises TrashRefused (409) when it is not finished or already in the trash.
    """
    now = timezone.now()
    changed = Generation.objects.filter(
        pk=generation.pk, trashed_at__isnull=True, state__in=TRASHABLE
    ).update(trashed_at=now, trashed_by=by)
    if not changed:
        generation.refresh_from_db(fields=["state", "trashed_at", "purged_at"])
        if generation.trashed_at is not None:
            raise TrashRefused(409, ALREADY_TRASHED)
        raise TrashRefused(409, NOT_FINISHED.format(state=generation.state))
    generation.trashed_at, generation.trashed_by = now, by
    event(
        generation, EventKind.TRASHED, state=generation.state, detail=detail or _author_detail(by)
    ).save()


def restore(generation: Generation, by: User | None = None) -> None:
    """Take one generation back out of the trash, unless a purge came first (409)."""
    changed = Generation.objects.filter(
        pk=generation.pk, trashed_at__isnull=False, purged_at__isnull=True
    ).update(trashed_at=None, trashed_by=None)
    if not changed:
        generation.refresh_from_db(fields=["trashed_at", "purged_at"])
        raise TrashRefused(409, ALREADY_PURGED if generation.purged_at else NOT_TRASHED)
    generation.trashed_at = generation.trashed_by = None
    detail = _author_detail(by) if by is not None else ""
    event(generation, EventKind.RESTORED, state=generation.state, detail=detail).save()


@dataclass
class BatchResult:
    """What a batch trash or restore did: how many changed, and why the others did not."""

    done: int = 0
    refused: list[str] | None = None

    def refuse(self, generation: Generation, why: str) -> None:
        self.refused = [*(self.refused or []), f"{generation.prompt[:40]}: {why}"]


def trash_many(
    membership: Membership, generations: Iterable[Generation], *, restoring: bool = False
) -> BatchResult:
    """Trash (or restore) a selection: each that the person may, the others are named."""
    result = BatchResult()
    for generation in generations:
        if not may_trash(membership, generation):
            result.refuse(generation, NOT_YOURS)
            continue
        try:
            if restoring:
                restore(generation, membership.user)
            else:
                trash(generation, membership.user)
        except TrashRefused as refused:
            result.refuse(generation, refused.detail)
        else:
            result.done += 1
    return result


# --- Purging ---------------------------------------------------------------------------


def trash_days() -> int:
    return settings.STUDIO_TRASH_DAYS


def purge(generation_id: uuid.UUID) -> bool:
    """Purge one trashed generation; False when it was restored (or purged) first.

    A row already purged whose files a cut-short purge left behind is finished too.
    """
    now = timezone.now()
    with transaction.atomic():
        won = Generation.objects.filter(
            pk=generation_id, trashed_at__isnull=False, purged_at__isnull=True
        ).update(purged_at=now)
        generation = Generation.objects.filter(pk=generation_id, purged_at__isnull=False).first()
        if generation is None:
            return False
        if won:
            event(generation, EventKind.PURGED, state=generation.state).save()
    # Committed as purged (unless a caller holds a transaction open around this): no
    # restore can take it back now, so its files may go.
    delete_files(generation)
    return bool(won)


def delete_files(generation: Generation) -> int:
    """Delete the stored files of a purged generation; returns how many went."""
    assert generation.purged_at is not None, "only a purged generation loses its files"
    removed = 0
    for output in Output.objects.filter(generation=generation):
        if output.file.name:
            output.file.storage.delete(output.file.name)
            removed += 1
        # After its file: a purge cut short here finds the row again next time.
        output.delete()
    for asset_id in placeholder_assets((generation.composition or {}).get("_body") or {}):
        removed += _delete_asset_if_unused(generation, asset_id)
    return removed


def assets_in_use(team_id: int, *, exclude: uuid.UUID | None = None) -> set[int]:
    """The uploads that generations of the team not purged still name (trashed ones too:
    they may be restored)."""
    rows = Generation.objects.filter(team_id=team_id, purged_at__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    used: set[int] = set()
    for composition in rows.values_list("composition", flat=True).iterator():
        used.update(placeholder_assets((composition or {}).get("_body") or {}))
    return used


def _delete_asset_if_unused(generation: Generation, asset_id: int) -> int:
    # Under the team's lock, as recording takes it: no new generation names the upload
    # between the check and the deletion.
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=generation.team_id).first()
        asset = Asset.objects.filter(pk=asset_id, team_id=generation.team_id).first()
        if asset is None or asset_id in assets_in_use(generation.team_id, exclude=generation.pk):
            return 0
        if asset.file.name:
            asset.file.storage.delete(asset.file.name)
        asset.delete()
    return 1


def due_for_purge(
    now: dt.datetime | None = None, older_than_days: int | None = None
) -> list[uuid.UUID]:
    """Trashed longer than the trash keeps them, and purged rows a cut-short purge left
    with files."""
    now = now or timezone.now()
    days = trash_days() if older_than_days is None else older_than_days
    cutoff = now - dt.timedelta(days=days)
    expired = Generation.objects.in_trash().filter(trashed_at__lte=cutoff)
    unfinished = Generation.objects.filter(purged_at__isnull=False, outputs__isnull=False)
    return list(
        dict.fromkeys(
            [*expired.values_list("id", flat=True), *unfinished.values_list("id", flat=True)]
        )
    )


def purge_due(now: dt.datetime | None = None, older_than_days: int | None = None) -> int:
    """Purge everything due; returns how many generations were purged by this pass."""
    purged = 0
    for generation_id in due_for_purge(now, older_than_days):
        try:
            purged += purge(generation_id)
        except Exception:
            # One file that will not go must not keep the rest of the trash: the row is
            # purged already and the next pass tries its files again.
            log.exception("trash: purging %s failed", generation_id)
    return purged
