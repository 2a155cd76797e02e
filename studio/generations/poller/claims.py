"""Claims with leases: one poller works a generation at a time, on any number of machines.

A claim is a conditional UPDATE (``lease_until IS NULL OR lease_until < now``) that
writes this poller's name and a lease end; only rows that UPDATE changed are ours. On
PostgreSQL the candidate rows are first locked with ``FOR UPDATE SKIP LOCKED`` so two
pollers picking at the same moment take different rows instead of queueing on each
other's locks. A poller that dies simply lets its leases run out.

Leases are short (POLLER_LEASE_SECONDS) and a `Heartbeat` renews them for as long as a
pass works on its rows, however long a download or a derived preview takes: a poller
that dies mid-way leaves its rows to another within one lease.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from studio.generations.models import Generation, GenerationState


def needs_work() -> Q:
    """Rows the poller has work on: in flight, or completed and not yet downloaded.

    A purged generation's files are gone for good: nothing is downloaded for it again (a
    download that was already under way is deleted by the next purge pass).
    """
    return Q(remote_id__isnull=False, purged_at__isnull=True) & (
        Q(state__in=Generation.IN_FLIGHT) | Q(state=GenerationState.COMPLETED, outputs_ready=False)
    )


def due(now: dt.datetime) -> QuerySet[Generation]:
    """Rows that need the poller now."""
    is_due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    unleased = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Generation.objects.filter(needs_work(), is_due, unleased)


def poll_now(generations: QuerySet[Generation]) -> int:
    """Make the next poller pass pick these rows, however far their backoff had put them
    ("poll again now"); rows the poller has no work on are left alone. Returns how many."""
    return generations.filter(needs_work()).update(next_poll_at=timezone.now())


def claim_batch(owner: str, limit: int, lease_seconds: float) -> list[Generation]:
    """Claim up to ``limit`` due generations, oldest due first; returns the claimed rows."""
    now = timezone.now()
    until = now + dt.timedelta(seconds=lease_seconds)
    order = ("next_poll_at", "created_at")
    with transaction.atomic():
        candidates = due(now).order_by(*order)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # Conditional even after the row lock: it is what makes the claim correct on
        # databases without row locks, and after a lease was taken by someone else.
        Generation.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now), id__in=ids
        ).update(lease_owner=owner, lease_until=until)
    return list(
        Generation.objects.select_related("team")
        .filter(id__in=ids, lease_owner=owner, lease_until=until)
        .order_by(*order)
    )


def claim_one(generation_id: uuid.UUID | str, owner: str, lease_seconds: float) -> bool:
    """Claim a single row whatever its schedule (tests and manual runs); True if ours."""
    now = timezone.now()
    changed = Generation.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), id=generation_id
    ).update(lease_owner=owner, lease_until=now + dt.timedelta(seconds=lease_seconds))
    return changed == 1


def renew(generation: Generation, owner: str, lease_seconds: float) -> bool:
    """Extend a lease we hold before long work (downloads, derived media)."""
    until = timezone.now() + dt.timedelta(seconds=lease_seconds)
    changed = Generation.objects.filter(id=generation.id, lease_owner=owner).update(
        lease_until=until
    )
    if changed:
        generation.lease_until = until
    return changed == 1


def release(ids: list[uuid.UUID], owner: str) -> int:
    """Give back leases we still hold (rows another poller took over stay theirs)."""
    return Generation.objects.filter(id__in=ids, lease_owner=owner).update(
        lease_owner="", lease_until=None
    )


def renew_all(ids: Iterable[uuid.UUID], owner: str, lease_seconds: float) -> set[uuid.UUID]:
    """Extend the leases we still hold among ``ids``; returns those ids."""
    ids = set(ids)
    if not ids:
        return ids
    until = timezone.now() + dt.timedelta(seconds=lease_seconds)
    mine = Generation.objects.filter(id__in=ids, lease_owner=owner)
    if mine.update(lease_until=until) == len(ids):
        return ids
    return set(mine.values_list("id", flat=True))


class Heartbeat:
    """Keeps a pass's leases alive while it works on them.

    Long work runs on a helper thread through `run()` while this thread renews the
    leases every third of a lease; the database is touched from this thread only.
    """

    def __init__(self, rows: Iterable[Generation], owner: str, lease_seconds: float) -> None:
        self.ids = {row.id for row in rows}
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.interval = lease_seconds / 3
        self.last = time.monotonic()
        self.beats = 0

    def holds(self, generation: Generation) -> bool:
        """Whether the lease was still ours at the last renewal."""
        return generation.id in self.ids

    def beat(self, *, now: bool = False) -> None:
        """Renew the leases if a renewal is due (or ``now``)."""
        if not now and time.monotonic() - self.last < self.interval:
            return
        self.last = time.monotonic()
        self.ids = renew_all(self.ids, self.owner, self.lease_seconds)
        self.beats += 1

    def run[T](self, work: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``work(*args, **kwargs)`` on a helper thread, renewing the leases meanwhile.

        ``work`` must not use the database (its connection belongs to this thread).
        """
        with ThreadPoolExecutor(1, thread_name_prefix="poll-work") as pool:
            future = pool.submit(work, *args, **kwargs)
            while True:
                try:
                    return future.result(
                        timeout=max(0.0, self.last + self.interval - time.monotonic())
                    )
                except TimeoutError:
                    self.beat()
