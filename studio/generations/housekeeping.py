"""The workers' periodic chores (purging the trash, the retention rules), one at a time.

Every poller calls ``run_due`` in its loop; it is cheap when nothing is due. A chore is
taken with a conditional UPDATE on its ``Chore`` row (free, and not done within its
interval), so of any number of pollers one does it; a poller that dies while holding it
lets its lease run out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from studio.generations import retention, trash
from studio.generations.models import Chore

log = logging.getLogger("studio.housekeeping")

LEASE = dt.timedelta(minutes=30)


def _chores() -> dict[str, Callable[[], int]]:
    return {"purge_trash": trash.purge_due, "retention": retention.apply}


def take(name: str, owner: str, every: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Take the chore ``name`` if it is due and nobody holds it."""
    now = now or timezone.now()
    # get_or_create copes with another poller making the row at the same moment.
    Chore.objects.get_or_create(name=name)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Q(done_at__isnull=True) | Q(done_at__lte=now - every)
    return bool(
        Chore.objects.filter(free, due, name=name).update(
            lease_owner=owner, lease_until=now + LEASE
        )
    )


def done(name: str, owner: str) -> None:
    Chore.objects.filter(name=name, lease_owner=owner).update(
        lease_owner="", lease_until=None, done_at=timezone.now()
    )


def run_due(owner: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Run each chore that is due and free; returns what each one that ran did."""
    every = dt.timedelta(seconds=settings.STUDIO_HOUSEKEEPING_SECONDS)
    report: dict[str, int] = {}
    for name, work in _chores().items():
        if not take(name, owner, every, now):
            continue
        try:
            report[name] = work()
        finally:
            # Done even when it failed part-way: it is tried again in one interval, not
            # in a tight loop.
            done(name, owner)
    return report
