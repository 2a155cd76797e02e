"""Heartbeats moved from studio.health to studio.workers: the rows stay where they were."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from studio.workers.models import Heartbeat, Role

BEFORE_THE_MOVE = [("workers", None)]  # also unapplies health 0002, which needs it


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_written_before_the_move_is_read_after_it() -> None:
    executor = _migrate(BEFORE_THE_MOVE)
    try:
        old_apps = executor.loader.project_state(("health", "0001_heartbeats")).apps
        old = old_apps.get_model("health", "Heartbeat")
        old.objects.create(role=Role.POLLER, instance="host:1", stats={"passes": 3})
    finally:
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
        _migrate(latest)
    beat = Heartbeat.objects.get(instance="host:1")
    assert (beat.role, beat.stats) == (Role.POLLER, {"passes": 3})
