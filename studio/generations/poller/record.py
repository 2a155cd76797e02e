"""Writing what the poller learnt: state changes, retries, schedules, as progress events.

Every write is conditional on the lease (``lease_owner = owner``): a poller that lost
its lease (it stalled past it and another took over) writes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from studio.client import ApiError
from studio.generations import lifecycle
from studio.generations.models import Generation, GenerationState, ProgressEvent
from studio.generations.poller import cadence
from studio.generations.progress import ExpectedTimes, elapsed_seconds

REMOTE_STATES = {s.value for s in (*Generation.IN_FLIGHT, *Generation.FINISHED)} - {
    GenerationState.REFUSED,
    GenerationState.DROPPED,
}
MAX_DETAIL = lifecycle.MAX_DETAIL
BULK_BATCH = 500


@dataclass
class Change:
    """Field updates and events for one row, written together."""

    fields: dict[str, Any] = field(default_factory=dict)
    events: list[ProgressEvent] = field(default_factory=list)

    def event(self, generation: Generation, at: dt.datetime, kind: str, **kw: str) -> None:
        self.events.append(lifecycle.event(generation, kind, at=at, **kw))


def write(changes: dict[Generation, Change], owner: str) -> set[Any]:
    """Apply changes in one transaction; returns the ids whose lease we still held.

    Rows that get the same values share one UPDATE (a pass's rows mostly differ only in
    their next look, which is kept to a tenth of a second for that reason), each limited
    to the rows this poller still leases.
    """
    pending = {g: c for g, c in changes.items() if c.fields or c.events}
    if not pending:
        return set()
    with transaction.atomic():
        ids = [g.id for g in pending]
        leased = Generation.objects.filter(id__in=ids, lease_owner=owner)
        if connection.features.has_select_for_update:
            # Held until commit, so the lease cannot change hands between check and write.
            leased = leased.select_for_update()
        written = set(leased.values_list("id", flat=True))
        groups: dict[tuple[tuple[str, Any], ...], list[Any]] = defaultdict(list)
        events: list[ProgressEvent] = []
        for generation, change in pending.items():
            if generation.id not in written:
                continue
            for name, value in change.fields.items():
                setattr(generation, name, value)
            if change.fields:
                groups[tuple(sorted(change.fields.items()))].append(generation.id)
            events.extend(change.events)
        for values, group in groups.items():
            for start in range(0, len(group), BULK_BATCH):
                Generation.objects.filter(
                    id__in=group[start : start + BULK_BATCH], lease_owner=owner
                ).update(**dict(values))
        ProgressEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return written


def error_text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def failed_attempt(
    generation: Generation,
    exc: BaseException,
    what: str,
    now: dt.datetime,
    *,
    cap: float = cadence.BACKOFF_CAP_S,
    rand: cadence.Rand | None = None,
) -> Change:
    """A GET, download or derivation that failed: keep the row, try again later."""
    failures = generation.poll_failures + 1
    retry_after = exc.retry_after if isinstance(exc, ApiError) and exc.status == 429 else None
    delay = cadence.retry_delay(failures, retry_after, cap=cap, **({"rand": rand} if rand else {}))
    reason = f"{what}: {error_text(exc)}"
    change = Change(
        fields={
            "poll_failures": failures,
            "next_poll_at": now + dt.timedelta(seconds=math.ceil(delay * 10) / 10),
            "last_polled_at": now,
            "error_detail": reason[:MAX_DETAIL],
        }
    )
    change.event(
        generation,
        now,
        lifecycle.EventKind.RETRY,
        state=generation.state,
        detail=f"{reason}; next try in {delay:.0f}s",
    )
    return change


def answered(
    generation: Generation,
    answer: dict[str, Any],
    now: dt.datetime,
    times: ExpectedTimes,
    rand: cadence.Rand | None = None,
) -> Change:
    """What a successful GET means for the row (the caller downloads completed ones)."""
    state = answer.get("state")
    if state not in REMOTE_STATES:
        return failed_attempt(
            generation, ApiError(200, f"unexpected state {state!r}", sent=True), "poll", now
        )
    change = Change(fields={"last_polled_at": now})
    if state != GenerationState.COMPLETED or generation.state != GenerationState.COMPLETED:
        # A completed row that is still not kept owes its failures to the download or
        # the derived media: those count on (and back off) until the outputs are kept.
        change.fields.update(poll_failures=0, error_detail="")
    if state != generation.state:
        change.fields["state"] = state
        change.event(
            generation, now, lifecycle.EventKind.STATE, state=state, detail=state_detail(answer)
        )
        if state == GenerationState.PROCESSING and generation.started_at is None:
            change.fields["started_at"] = now
    finished = state in (GenerationState.COMPLETED, GenerationState.FAILED)
    if finished and generation.finished_at is None:
        change.fields["finished_at"] = now
    if state == GenerationState.FAILED:
        change.fields["failure_code"] = str(answer.get("failure_code") or "")[:40]
        change.fields["failure_reason"] = str(answer.get("failure_reason") or "")
        change.fields["next_poll_at"] = None
    elif state == GenerationState.COMPLETED:
        # Downloaded in this same pass; if that fails it reschedules itself.
        change.fields["next_poll_at"] = now
    else:
        interval = cadence.poll_interval(
            elapsed_seconds(generation, now),
            times.for_generation(generation),
            **({"rand": rand} if rand else {}),
        )
        change.fields["next_poll_at"] = now + dt.timedelta(seconds=math.ceil(interval * 10) / 10)
    return change


def state_detail(answer: dict[str, Any]) -> str:
    if answer.get("state") == GenerationState.FAILED:
        code = answer.get("failure_code") or "unknown"
        reason = answer.get("failure_reason") or ""
        return f"{code}: {reason}" if reason else str(code)
    return ""
