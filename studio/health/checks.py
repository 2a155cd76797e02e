"""What /readyz checks: the database, the storage, and a live worker per expected role."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from studio.workers.models import Heartbeat, Role

log = logging.getLogger("studio.health")

PROBE = b"ready"


def expected_roles() -> dict[str, float]:
    """Role -> the oldest heartbeat (seconds) that still counts as alive.

    The notifier is left out: mail that waits a while is no reason to take the studio out
    of a load balancer. No engine worker is expected where the local engine is off.
    """
    limits = {
        Role.POLLER.value: settings.STUDIO_HEARTBEAT_LIMIT_S,
        Role.SENDER.value: settings.STUDIO_HEARTBEAT_LIMIT_S,
    }
    if settings.ENGINE_ENABLED:
        limits[Role.ENGINE.value] = settings.STUDIO_ENGINE_HEARTBEAT_LIMIT_S
    return limits


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # The reason goes to the log only: it may name hosts and users.
        log.exception("readiness: database unreachable")
        return "down"
    return "ok"


def storage() -> str:
    """Write, read back and delete a small probe (what every upload and output needs)."""
    try:
        name = default_storage.save(f"health/probe-{uuid.uuid4().hex}.txt", ContentFile(PROBE))
        try:
            with default_storage.open(name, "rb") as handle:
                if handle.read() != PROBE:
                    return "down"
        finally:
            default_storage.delete(name)
    except Exception:
        log.exception("readiness: storage not writable or readable")
        return "down"
    return "ok"


def workers(db_ok: bool) -> dict[str, str]:
    """Per expected role: ok, stale (all its heartbeats too old) or missing (none ever)."""
    limits = expected_roles()
    if not db_ok:
        return dict.fromkeys(limits, "unknown")
    now = timezone.now()
    newest = dict(
        Heartbeat.objects.filter(role__in=list(limits))
        .order_by()
        .values("role")
        .annotate(last=Max("beat_at"))
        .values_list("role", "last")
    )
    found: dict[str, str] = {}
    for role, limit in limits.items():
        last = newest.get(role)
        if last is None:
            found[role] = "missing"
        elif now - last > dt.timedelta(seconds=limit):
            found[role] = "stale"
        else:
            found[role] = "ok"
    return found


def readiness() -> dict[str, str]:
    """Each check's result by name: "ok" or why not."""
    checks = {"database": database()}
    checks["storage"] = storage()
    checks.update(workers(checks["database"] == "ok"))
    return checks
