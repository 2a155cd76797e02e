"""Claims with leases: one poller works a generation at a time, on any number of machines.

A claim is a conditional UPDATE (``lease_until IS NULL OR lease_until < now``) that
writes this poller's name and a lease end; only rows that UPDATE changed are ours. On
PostgreSQL the candidate rows are first locked with ``FOR UPDATE SKIP LOCKED`` so two
pollers picking at the same moment take different rows instead of queueing on each
other's locks. A poller that dies simply lets its leases run out.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from studio.generations.models import Generation, GenerationState


def make_owner() -> str:
    """A name unique to this poller instance (host, pid, random), within 64 characters."""
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def due(now: dt.datetime) -> QuerySet[Generation]:
    """Rows that need the poller now: in flight, or completed and not yet downloaded."""
    needs_work = Q(state__in=Generation.IN_FLIGHT) | Q(
        state=GenerationState.COMPLETED, outputs_ready=False
    )
    is_due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    unleased = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Generation.objects.filter(needs_work, is_due, unleased, remote_id__isnull=False)


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
