"""The governor per API key: a create leaves only when the key has a slot for it.

Per key, at most ``max_concurrent`` generations not yet finished at the API (those
being sent count) and at most ``rpm_limit`` creates in a sliding minute. The minute is
counted from when each create's answer arrived (``CreateAttempt.at``), which is never
earlier than when the API counted it, plus the creates in flight: with the studio's
limits equal to the API's, the API never has a reason to answer ``429``. Every count is
in the database and a slot is taken under a lock on the key's row, so any number of
senders on any number of machines share the limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from studio.client import RateLimit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
from studio.generations import lifecycle
from studio.generations.models import ApiGovernor, CreateAttempt, Generation, GenerationState


def window() -> dt.timedelta:
    """The sliding window creates are counted over (the API's 60 s; tests shorten it)."""
    return dt.timedelta(seconds=settings.RATE_WINDOW_S)


# Jobs the API is still working on, as far as the studio knows (it learns of a finish a
# poll later, so it errs on the safe side).
RUNNING = (GenerationState.SENDING, GenerationState.QUEUED, GenerationState.PROCESSING)


@dataclass(frozen=True)
class Slots:
    """One key's use at a moment, and what that leaves."""

    governor: ApiGovernor
    running: int
    sending: int
    in_window: int  # answered creates in the last minute
    oldest: dt.datetime | None  # the oldest of those

    def free(self, now: dt.datetime) -> int:
        if self.governor.blocked_until and self.governor.blocked_until > now:
            return 0
        by_jobs = self.governor.max_concurrent - self.running
        by_rate = self.governor.rpm_limit - self.in_window - self.sending
        return max(0, min(by_jobs, by_rate))

    def next_slot_at(self, now: dt.datetime) -> dt.datetime | None:
        """When the minute lets the next create go (None: not limited by time)."""
        blocked = self.governor.blocked_until
        if blocked and blocked > now:
            return blocked
        if self.in_window + self.sending >= self.governor.rpm_limit and self.oldest:
            return self.oldest + window()
        return None


def due_waiting(now: dt.datetime) -> QuerySet[Generation]:
    """Waiting generations the sender may act on now (queue not paused, not held back)."""
    return Generation.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now),
        state=GenerationState.WAITING,
        team__queue_paused=False,
    )


def governors_with_work(now: dt.datetime) -> list[int]:
    return list(
        due_waiting(now)
        .filter(inputs_ready=True, governor__isnull=False)
        .order_by()
        .values_list("governor_id", flat=True)
        .distinct()
    )


def slots_of(governor_ids: list[int], now: dt.datetime) -> dict[int, Slots]:
    """Every listed key's use, in four queries whatever their number."""
    if not governor_ids:
        return {}
    governors = {g.id: g for g in ApiGovernor.objects.filter(id__in=governor_ids)}
    running: dict[int, tuple[int, int]] = {}
    rows = (
        Generation.objects.filter(state__in=RUNNING, governor_id__in=governor_ids)
        .values("governor_id")
        .annotate(n=Count("id"), sending=Count("id", filter=Q(state=GenerationState.SENDING)))
    )
    for row in rows:
        running[row["governor_id"]] = (row["n"], row["sending"])
    recent: dict[int, tuple[int, dt.datetime]] = {}
    attempts = (
        CreateAttempt.objects.filter(governor_id__in=governor_ids, at__gt=now - window())
        .values("governor_id")
        .annotate(n=Count("id"), oldest=Min("at"))
    )
    for attempt in attempts:
        recent[attempt["governor_id"]] = (attempt["n"], attempt["oldest"])
    slots = {}
    for gid, governor in governors.items():
        n_running, n_sending = running.get(gid, (0, 0))
        n_window, oldest = recent.get(gid, (0, None))
        slots[gid] = Slots(governor, n_running, n_sending, n_window, oldest)
    return slots


class _Turn(TypedDict):
    turn: int


def fair_order(rows: QuerySet[Generation]) -> QuerySet[WithAnnotations[Generation, _Turn]]:
    """Members in turn (each one's first, then each one's second…), oldest first within."""
    turn = Window(
        RowNumber(),
        partition_by=[F("author_id")],
        order_by=[F("queue_order").asc(), F("id").asc()],
    )
    return rows.annotate(turn=turn).order_by("turn", "queue_order", "id")


def next_in_turn(governor_id: int, now: dt.datetime, limit: int) -> Sequence[Generation]:
    """The next ``limit`` waiting generations of a key, round-robin by member.

    Each member's own queue is oldest first (or as they reordered it); members take
    turns, and the one served least recently on this key goes first, so a teammate's
    single take is not held behind someone's batch of 16.
    """
    waiting = due_waiting(now).filter(governor_id=governor_id, inputs_ready=True)
    rows = list(fair_order(waiting).filter(turn__lte=limit).select_related("team", "governor"))
    authors = {g.author_id for g in rows}
    served = dict(
        Generation.objects.filter(
            governor_id=governor_id, author_id__in=authors, submitted_at__isnull=False
        )
        .order_by()
        .values("author_id")
        .annotate(last=Max("submitted_at"))
        .values_list("author_id", "last")
    )
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda g: (g.turn, served.get(g.author_id) or never, g.queue_order, g.id))
    return rows[:limit]


def take(governor_id: int, owner: str, lease_until: dt.datetime, limit: int) -> list[Generation]:
    """Move up to ``limit`` of the key's waiting generations to ``sending``, in turn.

    The count is made again under the lock on the key's row (on SQLite the write
    transaction itself is the lock), so two senders cannot take the same last slot.
    """
    with transaction.atomic():
        rows = ApiGovernor.objects.filter(pk=governor_id)
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        if rows.first() is None:
            return []
        now = timezone.now()
        slots = slots_of([governor_id], now).get(governor_id)
        free = min(limit, slots.free(now)) if slots else 0
        if free <= 0:
            return []
        candidates = next_in_turn(governor_id, now, free)
        return [g for g in candidates if lifecycle.sending(g, owner, lease_until)]


def note_answer(
    governor: ApiGovernor,
    status: int,
    *,
    rate: RateLimit | None = None,
    retry_after: float | None = None,
) -> None:
    """Count an answered create in the key's minute, and learn from its headers."""
    now = timezone.now()
    CreateAttempt.objects.create(governor=governor, at=now, status=status)
    fields: dict[str, object] = {}
    blocked = governor.blocked_until
    if rate is not None and rate.limit and rate.limit != governor.api_rpm:
        fields["api_rpm"] = rate.limit
    until = None
    if status == 429:
        until = now + dt.timedelta(seconds=max(1.0, retry_after or 1.0))
    elif rate is not None and rate.remaining == 0 and rate.reset:
        until = dt.datetime.fromtimestamp(rate.reset, tz=dt.UTC)
    if until is not None and (blocked is None or until > blocked):
        fields["blocked_until"] = until
    if fields:
        ApiGovernor.objects.filter(pk=governor.pk).update(**fields)
        for name, value in fields.items():
            setattr(governor, name, value)


def forget_old_attempts(now: dt.datetime) -> int:
    """Attempts older than the minute are no longer needed by anyone."""
    deleted, _ = CreateAttempt.objects.filter(at__lt=now - 2 * window()).delete()
    return deleted


def snapshot(slots: dict[int, Slots], now: dt.datetime) -> int:
    """Keep what the sender saw on each key's row, for the "why it waits" line."""
    changed = 0
    for gid, s in slots.items():
        next_slot = s.next_slot_at(now)
        if s.governor.running != s.running or s.governor.next_slot_at != next_slot:
            changed += ApiGovernor.objects.filter(pk=gid).update(
                running=s.running, next_slot_at=next_slot, updated_at=now
            )
    return changed
