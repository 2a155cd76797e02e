"""The trash: trash, restore, purge (files gone, tombstone kept), shared inputs, races.

Files are real files under the test's MEDIA_ROOT, written and deleted through the storage
the FileFields use.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from studio.generations import housekeeping, spend, trash
from studio.generations.budget import month_spend
from studio.generations.lifecycle import EventKind
from studio.generations.models import Asset, Chore, Generation, Output
from studio.review.lineage import lineage_of
from studio.teams.models import Membership
from tests.conftest import Personas
from tests.factories import add_hdr_media, add_media, make_generation


def files_of(generation: Generation) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [root / o.file.name for o in Output.objects.filter(generation=generation)]


def upload(team: Any, user: Any, name: str) -> Asset:
    asset = Asset(
        team=team,
        sha256=name.ljust(64, "0"),
        kind=Asset.Kind.IMAGE,
        media_type="image/png",
        size_bytes=4,
        width=16,
        height=16,
        original_name=f"{name}.png",
        created_by=user,
    )
    asset.file.save(f"{name}.png", ContentFile(b"\x89PNG"), save=False)
    asset.save()
    return asset


def using(team: Any, user: Any, *assets: Asset, **fields: Any) -> Generation:
    """A generation whose recorded body names these uploads as its keyframes."""
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "keyframed",
        "video": {"keyframes": [{"file_id": f"asset:{a.id}"} for a in assets]},
    }
    return make_generation(team, user, composition={"_body": body}, **fields)


def trashed_long_ago(generation: Generation, days: int = 31) -> None:
    Generation.objects.filter(pk=generation.pk).update(
        trashed_at=timezone.now() - dt.timedelta(days=days)
    )


# --- Trash and restore -----------------------------------------------------------------


def test_trash_and_restore_record_who_and_when(personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor)
    trash.trash(take, personas.editor)
    take.refresh_from_db()
    assert take.trashed_at is not None and take.trashed_by == personas.editor
    assert not Generation.objects.live().filter(pk=take.pk).exists()
    assert Generation.objects.in_trash().filter(pk=take.pk).exists()
    with pytest.raises(trash.TrashRefused, match="already in the trash"):
        trash.trash(take, personas.editor)

    trash.restore(take, personas.editor)
    take.refresh_from_db()
    assert take.trashed_at is None and take.trashed_by is None
    assert Generation.objects.live().filter(pk=take.pk).exists()
    kinds = list(take.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.TRASHED, EventKind.RESTORED]
    with pytest.raises(trash.TrashRefused, match="not in the trash"):
        trash.restore(take)


def test_only_a_finished_generation_goes_to_the_trash(personas: Personas) -> None:
    for state in (Generation.State.WAITING, Generation.State.PROCESSING):
        row = make_generation(personas.team, personas.editor, state=state)
        with pytest.raises(trash.TrashRefused, match=f"this one is {state}"):
            trash.trash(row, personas.editor)
        row.refresh_from_db()
        assert row.trashed_at is None


def test_who_may_trash(personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor)
    owners = make_generation(personas.team, personas.owner)
    role = {m.user_id: m for m in Membership.objects.filter(team=personas.team)}
    editor, owner = role[personas.editor.id], role[personas.owner.id]
    reviewer = role[personas.reviewer.id]
    assert trash.may_trash(editor, take) and not trash.may_trash(editor, owners)
    assert trash.may_trash(owner, take) and trash.may_trash(owner, owners)
    assert not trash.may_trash(reviewer, take)
    outsider = Membership.objects.get(team=personas.other_team, user=personas.outsider)
    assert not trash.may_trash(outsider, take)


# --- Purge -----------------------------------------------------------------------------


def test_purge_deletes_every_file_and_keeps_the_tombstone(personas: Personas) -> None:
    parent = make_generation(personas.team, personas.editor, price=Decimal("1.20"))
    add_hdr_media(parent)
    child = make_generation(
        personas.team,
        personas.editor,
        parent=parent,
        action=Generation.Action.EXTEND_FORWARD,
    )
    files = files_of(parent)
    assert len(files) == 5 and all(f.exists() for f in files)
    spent_before = month_spend(personas.team)
    months_before = spend.monthly(personas.team)
    trash.trash(parent, personas.editor)
    trashed_long_ago(parent)

    call_command("purge_trash")

    parent.refresh_from_db()
    assert parent.purged_at is not None and parent.trashed_at is not None
    assert not any(f.exists() for f in files)
    assert not Output.objects.filter(generation=parent).exists()
    # The tombstone: what it was, who made it, what it cost, where it came from.
    assert parent.remote_id is not None and parent.prompt and parent.kind == "video"
    assert parent.price == Decimal("1.20") and parent.author == personas.editor
    assert month_spend(personas.team) == spent_before
    assert spend.monthly(personas.team) == months_before
    assert parent.events.filter(kind=EventKind.PURGED).count() == 1
    with pytest.raises(trash.TrashRefused, match="purged"):
        trash.restore(parent)
    # The lineage is drawn whole, the purged parent shown as deleted.
    drawn = {node.generation.id: node.generation for node in lineage_of(child).nodes}
    assert drawn[parent.id].purged_at is not None and child.id in drawn


def test_purge_waits_for_the_trash_days(personas: Personas, settings: Any) -> None:
    settings.STUDIO_TRASH_DAYS = 30
    recent = make_generation(personas.team, personas.editor)
    add_media(recent, frames=4)
    trash.trash(recent, personas.editor)
    trashed_long_ago(recent, days=29)
    assert trash.purge_due() == 0
    assert all(f.exists() for f in files_of(recent))
    # --older-than 0 purges the whole trash now.
    call_command("purge_trash", "--older-than", "0")
    recent.refresh_from_db()
    assert recent.purged_at is not None and not files_of(recent)


def test_purge_touches_no_file_of_a_generation_not_purged(personas: Personas) -> None:
    kept = make_generation(personas.team, personas.editor)
    add_media(kept, frames=4)
    in_trash_recently = make_generation(personas.team, personas.editor)
    add_media(in_trash_recently, frames=4)
    trash.trash(in_trash_recently, personas.editor)
    gone = make_generation(personas.team, personas.editor)
    add_media(gone, frames=4)
    trash.trash(gone, personas.editor)
    trashed_long_ago(gone)
    kept_files = files_of(kept) + files_of(in_trash_recently)

    assert trash.purge_due() == 1
    assert all(f.exists() for f in kept_files)
    assert Output.objects.filter(generation__in=[kept, in_trash_recently]).count() == 6


def test_purge_is_idempotent_and_finishes_an_interrupted_one(personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=4)
    files = files_of(take)
    trash.trash(take, personas.editor)
    # What a purge killed right after committing the row leaves: purged, files still there.
    Generation.objects.filter(pk=take.pk).update(purged_at=timezone.now())
    assert all(f.exists() for f in files)

    call_command("purge_trash")
    assert not any(f.exists() for f in files)
    assert not Output.objects.filter(generation=take).exists()
    # Again: nothing left to do, nothing fails.
    assert trash.purge_due(older_than_days=0) == 0
    assert trash.purge(take.id) is False


def test_uploaded_inputs_go_only_when_nothing_else_uses_them(personas: Personas) -> None:
    shared = upload(personas.team, personas.editor, "shared")
    own = upload(personas.team, personas.editor, "own")
    still_trashed = upload(personas.team, personas.editor, "still-trashed")
    purged = using(personas.team, personas.editor, shared, own, still_trashed)
    using(personas.team, personas.owner, shared)
    restorable = using(personas.team, personas.owner, still_trashed)
    trash.trash(restorable, personas.owner)  # in the trash, not purged: it may come back
    root = Path(settings.MEDIA_ROOT)
    paths = {a.pk: root / a.file.name for a in (shared, own, still_trashed)}
    trash.trash(purged, personas.editor)

    assert trash.purge(purged.id)

    assert not Asset.objects.filter(pk=own.pk).exists() and not paths[own.pk].exists()
    for kept in (shared, still_trashed):
        assert Asset.objects.filter(pk=kept.pk).exists() and paths[kept.pk].exists()


def test_another_teams_upload_with_the_same_id_is_never_touched(personas: Personas) -> None:
    theirs = upload(personas.other_team, personas.outsider, "theirs")
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "x",
        "video": {"keyframes": [{"file_id": f"asset:{theirs.id}"}]},
    }
    take = make_generation(personas.team, personas.editor, composition={"_body": body})
    trash.trash(take, personas.editor)
    trash.purge(take.id)
    assert Asset.objects.filter(pk=theirs.pk).exists()
    assert (Path(settings.MEDIA_ROOT) / theirs.file.name).exists()


def test_a_restore_after_the_purge_committed_is_refused_and_the_reverse(
    personas: Personas,
) -> None:
    first = make_generation(personas.team, personas.editor)
    add_media(first, frames=4)
    trash.trash(first, personas.editor)
    assert trash.purge(first.id)
    with pytest.raises(trash.TrashRefused):
        trash.restore(first)

    second = make_generation(personas.team, personas.editor)
    add_media(second, frames=4)
    files = files_of(second)
    trash.trash(second, personas.editor)
    trash.restore(second)
    assert trash.purge(second.id) is False
    assert all(f.exists() for f in files)
    second.refresh_from_db()
    assert second.purged_at is None and second.trashed_at is None


def race(generation: Generation) -> dict[str, bool]:
    """A purge and a restore of ``generation`` started together, on two threads."""
    barrier = threading.Barrier(2)
    outcome: dict[str, bool] = {}

    def purge_it() -> None:
        barrier.wait()
        try:
            outcome["purged"] = trash.purge(generation.id)
        finally:
            close_old_connections()

    def restore_it() -> None:
        barrier.wait()
        try:
            trash.restore(Generation.objects.get(pk=generation.pk))
            outcome["restored"] = True
        except trash.TrashRefused:
            outcome["restored"] = False
        finally:
            close_old_connections()

    threads = [threading.Thread(target=purge_it), threading.Thread(target=restore_it)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_restore_racing_purge_one_wins_and_files_follow(personas: Personas) -> None:
    """Real threads, each with its own connection: whoever's UPDATE lands first wins,
    and the files are gone exactly when the purge won."""
    for _ in range(6):
        take = make_generation(personas.team, personas.editor)
        add_media(take, frames=2)
        files = files_of(take)
        trash.trash(take, personas.editor)
        outcome = race(take)
        assert outcome["purged"] != outcome["restored"], outcome
        take.refresh_from_db()
        if outcome["purged"]:
            assert take.purged_at is not None and not any(f.exists() for f in files)
        else:
            assert take.purged_at is None and take.trashed_at is None
            assert all(f.exists() for f in files)
            assert Output.objects.filter(generation=take).count() == 3


# --- The worker's chore ----------------------------------------------------------------


def test_one_poller_at_a_time_takes_the_chore(personas: Personas, settings: Any) -> None:
    settings.STUDIO_HOUSEKEEPING_SECONDS = 300
    take = make_generation(personas.team, personas.editor)
    trash.trash(take, personas.editor)
    trashed_long_ago(take)
    assert housekeeping.take("purge_trash", "a", dt.timedelta(minutes=5))
    assert not housekeeping.take("purge_trash", "b", dt.timedelta(minutes=5))
    housekeeping.done("purge_trash", "a")
    # Done just now: not due again within the interval, for anyone.
    assert not housekeeping.take("purge_trash", "b", dt.timedelta(minutes=5))
    Chore.objects.all().update(done_at=None)

    report = housekeeping.run_due("poller-1")
    assert report == {"purge_trash": 1, "retention": 0}
    assert housekeeping.run_due("poller-2") == {}
    take.refresh_from_db()
    assert take.purged_at is not None


def test_purge_command_refuses_negative_days(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="0 or more"):
        call_command("purge_trash", "--older-than", "-1")


def test_the_poller_never_downloads_for_a_purged_generation(personas: Personas) -> None:
    from studio.generations.poller.claims import due

    take = make_generation(personas.team, personas.editor, outputs_ready=False)
    assert due(timezone.now()).filter(pk=take.pk).exists()
    trash.trash(take, personas.editor)
    assert due(timezone.now()).filter(pk=take.pk).exists()  # restorable: still kept whole
    trash.purge(take.id)
    assert not due(timezone.now()).filter(pk=take.pk).exists()
