"""A worker's heartbeat: ``Beater(role).beat()`` after each pass, written every few seconds.

Durations and error counts are kept in this process and written with the beat, because
the web process that serves /metrics is another process, possibly on another machine:
the database is the one place every role shares (see ``studio.health.metrics``).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from studio.workers.models import Heartbeat

# Often enough that a limit of a minute or two spots a dead worker; rare enough that many
# workers cost the database next to nothing.
BEAT_EVERY_S = 5.0
# Rows of processes silent this long are removed (by the next process to start): their
# counters leave the totals, which Prometheus reads as a counter reset.
FORGET_AFTER = dt.timedelta(days=7)


def instance_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


class Beater:
    def __init__(self, role: str) -> None:
        self.role = role
        self.instance = instance_name()
        self.started_at = timezone.now()
        self.stats: dict[str, Any] = {}
        self.written_at: float | None = None

    def add(self, name: str, value: float = 1.0) -> None:
        self.stats[name] = self.stats.get(name, 0) + value

    def count(self, name: str, by: Mapping[str, int]) -> None:
        """Add to a labelled counter, e.g. GET errors by status."""
        counts = self.stats.setdefault(name, {})
        for label, n in by.items():
            counts[label] = counts.get(label, 0) + n

    def observe(self, name: str, seconds: float, n: int = 1) -> None:
        """Record ``n`` events that took ``seconds`` in all (a Prometheus summary)."""
        self.add(f"{name}_count", n)
        self.add(f"{name}_sum", seconds)

    def beat(self, *, force: bool = False) -> bool:
        """Write the heartbeat if the last one is older than BEAT_EVERY_S (or ``force``)."""
        now = time.monotonic()
        if not force and self.written_at is not None and now - self.written_at < BEAT_EVERY_S:
            return False
        if self.written_at is None:
            Heartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_AFTER).delete()
        Heartbeat.objects.update_or_create(
            role=self.role,
            instance=self.instance,
            started_at=self.started_at,
            defaults={"beat_at": timezone.now(), "stats": self.stats},
        )
        self.written_at = now
        return True
