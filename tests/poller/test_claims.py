"""Leases: a row is worked by one poller at a time, however many run."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

from studio.generations.models import Generation
from studio.generations.poller import claims
from tests.poller.conftest import past


def test_claims_due_rows_only(make_generation: Any) -> None:
    due = make_generation()
    never_polled = make_generation(next_poll_at=None)
    later = make_generation(next_poll_at=timezone.now() + dt.timedelta(seconds=30))
    leased = make_generation(
        lease_owner="other", lease_until=timezone.now() + dt.timedelta(seconds=60)
    )
    stale_lease = make_generation(lease_owner="dead", lease_until=past(1))
    to_download = make_generation(state="completed", outputs_ready=False)
    make_generation(state="completed", outputs_ready=True)
    make_generation(state="failed")
    make_generation(state="waiting", remote_id=None)

    claimed = claims.claim_batch("me", 100, 60)

    assert {g.id for g in claimed} == {due.id, never_polled.id, stale_lease.id, to_download.id}
    assert all(g.lease_owner == "me" for g in claimed)
    assert Generation.objects.get(id=leased.id).lease_owner == "other"
    assert Generation.objects.get(id=later.id).lease_owner == ""
    # Claimed rows are not claimable again until released.
    assert claims.claim_batch("you", 100, 60) == []
    assert claims.release([g.id for g in claimed], "me") == 4
    assert len(claims.claim_batch("you", 100, 60)) == 4


def test_batch_limit_takes_the_longest_waiting_first(make_generation: Any) -> None:
    rows = [make_generation(next_poll_at=past(n)) for n in range(5)]
    claimed = claims.claim_batch("me", 2, 60)
    assert [g.id for g in claimed] == [rows[4].id, rows[3].id]


def test_release_and_renew_only_touch_our_own_leases(make_generation: Any) -> None:
    row = make_generation()
    assert claims.claim_one(row.id, "me", 60)
    assert not claims.claim_one(row.id, "you", 60)
    assert claims.release([row.id], "you") == 0
    assert not claims.renew(row, "you", 600)
    assert claims.renew(row, "me", 600)
    assert Generation.objects.get(id=row.id).lease_until > timezone.now() + dt.timedelta(
        seconds=500
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_share_a_row(make_generation: Any) -> None:
    """Four pollers in threads, each with its own connection, claiming in small batches."""
    ids = {make_generation().id for _ in range(60)}
    seen: Counter[Any] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def poller(name: str) -> None:
        from django.db import connections

        try:
            while True:
                try:
                    batch = claims.claim_batch(name, 5, 60)
                    # Count what was claimed before anything else can fail.
                    with lock:
                        seen.update(g.id for g in batch)
                    # An empty batch can also mean another poller won the race for it.
                    more = bool(batch) or claims.due(timezone.now()).exists()
                except OperationalError as exc:
                    # The test database on SQLite is a shared-cache in-memory one, whose
                    # table locks fail at once instead of waiting like a file database.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.005)
                    continue
                if not more:
                    break
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poller, args=(f"p{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(seen) == ids
    assert max(seen.values()) == 1


def test_a_heartbeat_keeps_leases_alive_through_long_work(make_generation: Any) -> None:
    """Work longer than the lease: renewed meanwhile, so no other poller may take the row."""
    row = make_generation()
    assert claims.claim_one(row.id, "me", 0.6)
    claimed_until = Generation.objects.get(id=row.id).lease_until
    heartbeat = claims.Heartbeat([row], "me", 0.6)

    assert heartbeat.run(lambda: time.sleep(1.5) or "done") == "done"

    assert heartbeat.beats >= 1 and heartbeat.holds(row)
    assert Generation.objects.get(id=row.id).lease_until > claimed_until

    # A row another poller took (after our lease ran out) is ours no more.
    Generation.objects.filter(id=row.id).update(lease_owner="other")
    heartbeat.beat(now=True)
    assert not heartbeat.holds(row)
    assert Generation.objects.get(id=row.id).lease_owner == "other"


def test_a_heartbeat_hands_back_what_the_work_raised(make_generation: Any) -> None:
    row = make_generation()
    assert claims.claim_one(row.id, "me", 60)
    heartbeat = claims.Heartbeat([row], "me", 60)
    with pytest.raises(ZeroDivisionError):
        heartbeat.run(lambda: 1 / 0)
