"""What the poller writes: only to rows it still leases, with an event per change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from studio.client import ApiError
from studio.generations.models import Generation
from studio.generations.poller import claims, record
from studio.generations.progress import ExpectedTimes


def answer(state: str, **extra: Any) -> dict[str, Any]:
    return {"state": state, "output": [], "failure_code": None, "failure_reason": None, **extra}


def test_changes_are_written_only_under_our_lease(make_generation: Any) -> None:
    mine, stolen = make_generation(), make_generation()
    assert len(claims.claim_batch("me", 10, 60)) == 2
    # Our lease ran out while we stalled, and another poller took the row over.
    Generation.objects.filter(id=stolen.id).update(lease_owner="thief")
    now = timezone.now()
    times = ExpectedTimes()
    changes = {
        mine: record.answered(mine, answer("processing"), now, times),
        stolen: record.answered(stolen, answer("completed"), now, times),
    }
    assert record.write(changes, "me") == {mine.id}
    mine.refresh_from_db()
    stolen.refresh_from_db()
    assert (mine.state, mine.started_at) == ("processing", now)
    assert list(mine.events.values_list("kind", "state")) == [("state", "processing")]
    assert stolen.state == "queued" and not stolen.events.exists()


def test_rows_with_different_changes_are_written_together(make_generation: Any) -> None:
    rows = [make_generation() for _ in range(4)]
    claims.claim_batch("me", 10, 60)
    now = timezone.now()
    times = ExpectedTimes()
    failed = answer("failed", failure_code="generation_failed", failure_reason="Generation failed")
    changes = {
        rows[0]: record.answered(rows[0], answer("queued"), now, times),
        rows[1]: record.answered(rows[1], answer("processing"), now, times),
        rows[2]: record.answered(rows[2], failed, now, times),
        rows[3]: record.failed_attempt(
            rows[3], ApiError(429, "Rate limit exceeded", retry_after=7), "poll", now
        ),
    }
    assert record.write(changes, "me") == {r.id for r in rows}
    got = {g.id: g for g in Generation.objects.all()}
    assert got[rows[0].id].state == "queued" and not rows[0].events.exists()
    assert (
        dt.timedelta(seconds=1.8) <= got[rows[0].id].next_poll_at - now <= dt.timedelta(seconds=5.5)
    )
    assert got[rows[1].id].state == "processing"
    assert (got[rows[2].id].state, got[rows[2].id].failure_code) == ("failed", "generation_failed")
    assert got[rows[2].id].next_poll_at is None and got[rows[2].id].finished_at == now
    assert got[rows[3].id].poll_failures == 1
    assert got[rows[3].id].next_poll_at - now >= dt.timedelta(seconds=7)
    assert "next try in" in rows[3].events.get(kind="retry").detail


def test_an_answer_in_an_unknown_state_is_a_retry(make_generation: Any) -> None:
    row = make_generation()
    change = record.answered(row, answer("exploded"), timezone.now(), ExpectedTimes())
    assert change.fields["poll_failures"] == 1
    assert "unexpected state 'exploded'" in change.fields["error_detail"]
