"""A generation's life, in one place: every state change and every progress event.

    recorded → waiting → uploading → waiting → sending → queued/processing → completed/failed
                                   ↘ refused       ↘ uncertain → (resend) waiting | dropped
    waiting/uploading → cancelled

The composer and the studio's API build drafts and ``record`` them; the sender and the
poller call the transitions below. Each transition is a conditional UPDATE on the state
it starts from (and, for the sender's, on its lease), so a change that lost a race to
another (a cancel while uploading, say) does nothing and says so.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from studio.contract.models import DEFAULT_DURATION, DEFAULT_RESOLUTION
from studio.contract.structure import iter_refs
from studio.generations import signals, stacks
from studio.generations.budget import budget_problem
from studio.generations.models import Batch, Generation, GenerationState, ProgressEvent
from studio.generations.routing import governor_for, route_for_team
from studio.generations.storage import quota_problem
from studio.teams.models import Membership, Team

State = GenerationState
FIRST_POLL_AFTER = dt.timedelta(seconds=2)
MAX_DETAIL = 2000
# Image and video inputs stand in a draft's body as file ids with this prefix until the
# sender uploads them and puts the Files API's id in their place.
ASSET_PREFIX = "asset:"


class EventKind:
    """Every kind of progress event (the values stored in ``ProgressEvent.kind``)."""

    RECORDED = "recorded"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    SENDING = "sending"
    SUBMITTED = "submitted"
    RATE_LIMITED = "rate_limited"  # a 429: back to waiting, nothing was created
    NOT_SENT = "not_sent"  # the API could not be reached: back to waiting
    REFUSED = "refused"
    UNCERTAIN = "uncertain"
    RESENT = "resent"
    DROPPED = "dropped"
    CANCELLED = "cancelled"
    MOVED_TO_FRONT = "moved_to_front"
    IMPORTED = "imported"
    STATE = "state"  # the API reported a new state (poller)
    RETRY = "retry"  # a GET, download or derivation failed and will be retried (poller)
    DOWNLOADED = "downloaded"  # outputs kept (poller)
    TRASHED = "trashed"  # moved to the trash (by a person, or a retention rule)
    RESTORED = "restored"  # taken back out of the trash
    PURGED = "purged"  # its files deleted for good; the row stays as a tombstone

    ALL = (
        RECORDED,
        UPLOADING,
        UPLOADED,
        SENDING,
        SUBMITTED,
        RATE_LIMITED,
        NOT_SENT,
        REFUSED,
        UNCERTAIN,
        RESENT,
        DROPPED,
        CANCELLED,
        MOVED_TO_FRONT,
        IMPORTED,
        STATE,
        RETRY,
        DOWNLOADED,
        TRASHED,
        RESTORED,
        PURGED,
    )


class BudgetExceeded(Exception):
    """The price would take the team or the member past a monthly budget."""


class StorageQuotaExceeded(BudgetExceeded):
    """The team stores as much as its storage quota allows (or more)."""


class NoApiConfigured(Exception):
    """Neither the team nor the studio has a generation API with a key."""


def event(
    generation: Generation,
    kind: str,
    *,
    state: str = "",
    detail: str = "",
    at: dt.datetime | None = None,
) -> ProgressEvent:
    """An unsaved progress event (the poller writes its events in bulk)."""
    assert kind in EventKind.ALL, kind
    return ProgressEvent(
        generation=generation,
        kind=kind,
        state=state,
        detail=detail[:MAX_DETAIL],
        at=at or timezone.now(),
    )


def _log(generation: Generation, kind: str, detail: str = "") -> None:
    event(generation, kind, state=generation.state, detail=detail).save()


# Given back with a transition that ends the sender's work on a row.
RELEASE: dict[str, Any] = {"lease_owner": "", "lease_until": None}


def _move(
    generation: Generation,
    from_states: Sequence[str],
    to: str,
    kind: str,
    detail: str = "",
    *,
    owner: str | None = None,
    **fields: Any,
) -> bool:
    """Change state if it is still one of ``from_states`` (and leased by ``owner``), and
    record the event ``kind`` when it did; False when another change came first."""
    rows = Generation.objects.filter(pk=generation.pk, state__in=list(from_states))
    if owner is not None:
        rows = rows.filter(lease_owner=owner)
    if not rows.update(state=to, **fields):
        return False
    generation.state = to
    for name, value in fields.items():
        setattr(generation, name, value)
    _log(generation, kind, detail)
    if to in Generation.FINISHED:
        # Its author hears of it (or of its batch, once every take has ended).
        signals.generation_ended.send(Generation, generation_id=generation.pk)
    return True


# --- Recording -------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """Everything needed to record one generation; ``body`` may hold asset placeholders."""

    membership: Membership
    action: str
    body: dict[str, Any]
    composition: dict[str, Any] = field(default_factory=dict)
    price: Decimal = Decimal("0")
    price_estimated: bool = False
    parent: Generation | None = None


def placeholder_assets(body: dict[str, Any]) -> list[int]:
    """The asset ids a body still names by placeholder, in order, each once."""
    ids: list[int] = []
    for _, ref in iter_refs(body):
        file_id = str(ref.get("file_id") or "")
        if file_id.startswith(ASSET_PREFIX):
            asset_id = int(file_id.removeprefix(ASSET_PREFIX))
            if asset_id not in ids:
                ids.append(asset_id)
    return ids


def with_file_ids(body: dict[str, Any], file_ids: dict[int, str]) -> dict[str, Any]:
    """A copy of ``body`` with every asset placeholder replaced by its file id."""
    out = copy.deepcopy(body)
    for _, ref in iter_refs(out):
        file_id = str(ref.get("file_id") or "")
        if file_id.startswith(ASSET_PREFIX):
            ref["file_id"] = file_ids[int(file_id.removeprefix(ASSET_PREFIX))]
    return out


def record(
    drafts: Sequence[Draft],
    *,
    submit_token: str | None = None,
    batch_kind: str = Batch.Kind.TAKES,
    varies: str = "",
) -> tuple[list[Generation], bool]:
    """Record one generation per draft, all waiting, or none; returns (takes, created).

    The budget is checked for the total under a lock on the team, so two simultaneous
    submits cannot both slip under it. With ``submit_token`` a second submit of the same
    form (a double click, a resent request) returns the takes of the first.
    """
    if not drafts:
        raise ValueError("nothing to record")
    membership = drafts[0].membership
    team = membership.team
    if submit_token:
        earlier = _recorded_with(submit_token)
        if earlier:
            return earlier, False
    route = route_for_team(team)
    if route is None:
        raise NoApiConfigured("No generation API is configured for this studio.")
    governor = governor_for(route, team)
    total = sum((d.price for d in drafts), Decimal("0"))
    now = timezone.now()
    try:
        with transaction.atomic():
            Team.objects.select_for_update().filter(pk=team.pk).first()
            problem = budget_problem(membership, total, takes=len(drafts))
            if problem:
                raise BudgetExceeded(problem)
            problem = quota_problem(team)
            if problem:
                raise StorageQuotaExceeded(problem)
            batch = None
            if len(drafts) > 1:
                batch = Batch.objects.create(
                    team=team,
                    author=membership.user,
                    kind=batch_kind,
                    varies=varies,
                    size=len(drafts),
                    price=total,
                    created_at=now,
                )
            takes = []
            for index, draft in enumerate(drafts):
                body, video = draft.body, draft.body.get("video") or {}
                generation = Generation.objects.create(
                    team=team,
                    author=membership.user,
                    kind=body["type"],
                    action=draft.action,
                    parent=draft.parent,
                    prompt=body["prompt"],
                    request=body,
                    composition={**draft.composition, "_body": body},
                    resolution=video.get("resolution") or DEFAULT_RESOLUTION,
                    duration=video.get("duration") or DEFAULT_DURATION,
                    aspect_ratio=body.get("aspect_ratio") or "",
                    hdr=bool(video.get("hdr")),
                    exr_export=bool(video.get("exr_export")),
                    loop=bool(video.get("loop")),
                    price=draft.price,
                    price_estimated=draft.price_estimated,
                    batch=batch,
                    take_index=index if batch else None,
                    api_base_url=route.base_url,
                    api_source=route.source,
                    governor=governor,
                    submit_token=submit_token if index == 0 else None,
                    state=State.WAITING,
                    inputs_ready=not placeholder_assets(body),
                    created_at=now,
                    queue_order=now + dt.timedelta(microseconds=index),
                )
                takes.append(generation)
            if len(takes) == 1:
                # One new version of its source (remix, retry, promote) joins its stack;
                # a batch's takes are alternatives, and one picked later can start a stack.
                stacks.join_source(takes[0])
            ProgressEvent.objects.bulk_create(
                [event(g, EventKind.RECORDED, state=State.WAITING, at=now) for g in takes]
            )
    except IntegrityError:
        # The same token won a race a moment ago: that submit stands.
        earlier = _recorded_with(submit_token) if submit_token else []
        if earlier:
            return earlier, False
        raise
    return takes, True


def _recorded_with(submit_token: str) -> list[Generation]:
    first = Generation.objects.filter(submit_token=submit_token).first()
    if first is None:
        return []
    if first.batch_id is None:
        return [first]
    return list(Generation.objects.filter(batch_id=first.batch_id).order_by("take_index"))


def record_import(
    membership: Membership, answer: dict[str, Any], base_url: str, source: str
) -> tuple[Generation, bool]:
    """A generation made elsewhere, as the API describes it; the same id lands once."""
    remote_id = uuid.UUID(str(answer["id"]))
    existing = Generation.objects.filter(remote_id=remote_id).first()
    if existing is not None:
        return existing, False
    state = answer.get("state")
    if state not in (State.QUEUED, State.PROCESSING, State.COMPLETED, State.FAILED):
        state = State.QUEUED
    now = timezone.now()
    sent = answer.get("request")
    request: dict[str, Any] = sent if isinstance(sent, dict) else {}
    video = request.get("video") or {}
    try:
        with transaction.atomic():
            generation = Generation.objects.create(
                team=membership.team,
                author=membership.user,
                kind=str(answer.get("type") or "video")[:20],
                action=Generation.Action.IMPORT,
                prompt=str(request.get("prompt") or answer.get("prompt") or "Imported generation"),
                request=request,
                resolution=str(video.get("resolution") or DEFAULT_RESOLUTION)[:5],
                duration=str(video.get("duration") or DEFAULT_DURATION)[:4],
                aspect_ratio=str(request.get("aspect_ratio") or "")[:5],
                hdr=bool(video.get("hdr")),
                exr_export=bool(video.get("exr_export")),
                loop=bool(video.get("loop")),
                api_base_url=base_url,
                api_source=source,
                remote_id=remote_id,
                state=state,
                inputs_ready=True,
                submitted_at=now,
                finished_at=now if state in (State.COMPLETED, State.FAILED) else None,
                failure_code=str(answer.get("failure_code") or "")[:40],
                failure_reason=str(answer.get("failure_reason") or ""),
                next_poll_at=None if state == State.FAILED else now,
            )
            _log(generation, EventKind.IMPORTED, f"from {base_url}")
    except IntegrityError:
        return Generation.objects.get(remote_id=remote_id), False
    return generation, True


# --- A person's decisions --------------------------------------------------------------


def cancel(generation: Generation) -> bool:
    """Cancel one that was not sent: nothing spent, its budget reservation released."""
    return _move(
        generation,
        (State.WAITING, State.UPLOADING),
        State.CANCELLED,
        EventKind.CANCELLED,
        finished_at=timezone.now(),
    )


def move_to_front(generation: Generation) -> bool:
    """First in its author's own queue (the sender still takes members in turn)."""
    if generation.state != State.WAITING:
        return False
    first = Generation.objects.filter(
        team_id=generation.team_id, author_id=generation.author_id, state=State.WAITING
    ).aggregate(first=Min("queue_order"))["first"]
    if first is None or first >= generation.queue_order:
        return first is not None
    order = first - dt.timedelta(milliseconds=1)
    if not Generation.objects.filter(pk=generation.pk, state=State.WAITING).update(
        queue_order=order
    ):
        return False
    generation.queue_order = order
    _log(generation, EventKind.MOVED_TO_FRONT)
    return True


def resend(generation: Generation) -> bool:
    """A person chose to send an uncertain submission again (it may then exist twice)."""
    return _move(generation, (State.UNCERTAIN,), State.WAITING, EventKind.RESENT, not_before=None)


def drop(generation: Generation) -> bool:
    return _move(
        generation,
        (State.UNCERTAIN,),
        State.DROPPED,
        EventKind.DROPPED,
        finished_at=timezone.now(),
    )


# --- The sender's steps ----------------------------------------------------------------


def uploading(generation: Generation, owner: str, total: int) -> bool:
    """waiting → uploading, under the sender's lease (taken by the caller)."""
    return _move(
        generation,
        (State.WAITING,),
        State.UPLOADING,
        EventKind.UPLOADING,
        f"{total} input(s)",
        owner=owner,
        uploads_done=0,
        uploads_total=total,
    )


def upload_progress(generation: Generation, owner: str, done: int) -> None:
    Generation.objects.filter(pk=generation.pk, state=State.UPLOADING, lease_owner=owner).update(
        uploads_done=done
    )
    generation.uploads_done = done


def uploaded(generation: Generation, owner: str, request: dict[str, Any]) -> bool:
    """uploading → waiting with its inputs on the API (the body holds their file ids)."""
    return _move(
        generation,
        (State.UPLOADING,),
        State.WAITING,
        EventKind.UPLOADED,
        owner=owner,
        request=request,
        inputs_ready=True,
        uploads_done=generation.uploads_total,
        **RELEASE,
    )


def upload_failed(
    generation: Generation, owner: str, detail: str, retry_at: dt.datetime | None
) -> bool:
    """An input the API did not take: refused; or, when it could not be reached, later."""
    if retry_at is None:
        return refuse(generation, detail, owner=owner, from_state=State.UPLOADING)
    return _move(
        generation,
        (State.UPLOADING,),
        State.WAITING,
        EventKind.NOT_SENT,
        detail,
        owner=owner,
        not_before=retry_at,
        error_detail=detail[:MAX_DETAIL],
        **RELEASE,
    )


def sending(generation: Generation, owner: str, lease_until: dt.datetime) -> bool:
    """waiting → sending under the sender's lease: a slot is taken (under the governor's
    lock). From here on the generation stays with the API it is sent to."""
    return _move(
        generation,
        (State.WAITING,),
        State.SENDING,
        EventKind.SENDING,
        lease_owner=owner,
        lease_until=lease_until,
    )


def accepted(generation: Generation, owner: str, answer: dict[str, Any]) -> bool:
    """sending → queued/processing: the id is stored the moment it arrives."""
    now = timezone.now()
    answered = answer.get("state")
    state = (
        answered if isinstance(answered, str) and answered in Generation.IN_FLIGHT else State.QUEUED
    )
    return _move(
        generation,
        (State.SENDING,),
        state,
        EventKind.SUBMITTED,
        owner=owner,
        remote_id=answer["id"],
        submitted_at=now,
        next_poll_at=now + FIRST_POLL_AFTER,
        error_detail="",
        not_before=None,
        **RELEASE,
    )


def back_to_waiting(
    generation: Generation, owner: str, kind: str, detail: str, retry_at: dt.datetime | None
) -> bool:
    """sending → waiting: certain that nothing was created (a 429, or never connected)."""
    return _move(
        generation,
        (State.SENDING,),
        State.WAITING,
        kind,
        detail,
        owner=owner,
        not_before=retry_at,
        error_detail=detail[:MAX_DETAIL],
        **RELEASE,
    )


def refuse(
    generation: Generation,
    detail: str,
    *,
    owner: str | None = None,
    from_state: str = State.SENDING,
) -> bool:
    return _move(
        generation,
        (from_state,),
        State.REFUSED,
        EventKind.REFUSED,
        detail,
        owner=owner,
        error_detail=detail[:MAX_DETAIL],
        finished_at=timezone.now(),
        **RELEASE,
    )


def uncertain(generation: Generation, detail: str, *, owner: str | None = None) -> bool:
    return _move(
        generation,
        (State.SENDING,),
        State.UNCERTAIN,
        EventKind.UNCERTAIN,
        detail,
        owner=owner,
        error_detail=detail[:MAX_DETAIL],
        **RELEASE,
    )


def recover_abandoned(now: dt.datetime | None = None) -> int:
    """Rows a sender left behind when it died (its lease ran out).

    One left ``sending`` may have been created (its POST may have left): uncertain, for
    a person to decide. One left ``uploading`` only waits again (a re-upload is safe).
    """
    now = now or timezone.now()
    expired = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    count = 0
    for generation in Generation.objects.filter(expired, state=State.SENDING):
        count += uncertain(
            generation,
            "The sender stopped while sending this: it may or may not have been created.",
        )
    count += Generation.objects.filter(expired, state=State.UPLOADING).update(
        state=State.WAITING, **RELEASE
    )
    return count
