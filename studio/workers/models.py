"""Heartbeats: each worker process says it is alive, and what its passes took.

One row per process (role, instance and start: a pid may come back after a restart),
written only by that process, so its ``stats`` (counters since the process started)
never race. Rows of processes that ended stay:
their counters keep the totals in /metrics monotonic, and a stale row alone never makes
the studio unready while another instance of its role beats.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    POLLER = "poller"
    SENDER = "sender"
    ENGINE = "engine"
    NOTIFIER = "notifier"


class Heartbeat(models.Model):
    role = models.CharField(max_length=12, choices=Role.choices)
    instance = models.CharField(max_length=100)  # host:pid
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table kept the name it had when heartbeats belonged to studio.health.
        db_table = "health_heartbeat"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "instance", "started_at"], name="heartbeat_one_per_process"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.instance}"
