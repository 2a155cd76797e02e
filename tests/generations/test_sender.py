"""The sender against the local engine over real HTTP, with small limits on both sides.

The engine allows 2 running jobs and 5 creates in a window; the window is shortened to a
few seconds on both sides (the algorithm is the same as with the API's 60 s), so a drain
takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from studio.engine.models import EngineGeneration
from studio.engine.testing import create_key, run_pending_renders
from studio.generations import lifecycle
from studio.generations.budget import month_spend
from studio.generations.lifecycle import Draft
from studio.generations.models import ApiGovernor, CreateAttempt, Generation
from studio.generations.poller import PollerConfig, poll_once
from studio.generations.progress import waiting_reason
from studio.generations.sender import SenderConfig, send_once
from studio.teams.models import Membership
from studio.teams.queue import set_queue_paused
from tests.conftest import Personas

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW_S = 3.0


@pytest.fixture
def limited(live_server: Any, settings: Any) -> str:
    """The local engine as the studio's API: 2 running jobs, 5 creates per window."""
    settings.RATE_WINDOW_S = WINDOW_S
    settings.ENGINE_CONCURRENT_LIMIT = 2
    settings.ENGINE_RPM_LIMIT = 5
    settings.LUMA_MAX_CONCURRENT = 2
    settings.LUMA_MAX_RPM = 5
    settings.LUMA_BASE_URL = f"{live_server.url}/v1"
    settings.LUMA_AGENTS_API_KEY = create_key("sender")
    return settings.LUMA_BASE_URL


def draft(membership: Membership, prompt: str = "a kite over dunes") -> Draft:
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": prompt,
        "video": {"resolution": "360p", "duration": "5s"},
    }
    return Draft(membership, "create", body, price=Decimal("0.06"))


def batch(user: Any, team: Any, n: int, prompt: str = "a kite") -> list[Generation]:
    membership = Membership.objects.get(user=user, team=team)
    takes, _ = lifecycle.record([draft(membership, f"{prompt} {i}") for i in range(n)])
    return takes


def sender(name: str = "sender-a") -> SenderConfig:
    return SenderConfig.from_settings(owner=name, timeout=10.0)


def engine_running() -> int:
    return EngineGeneration.objects.filter(state__in=EngineGeneration.NON_TERMINAL).count()


def states() -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in Generation.objects.values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def test_a_batch_of_twelve_from_two_members_completes_within_the_limits(
    limited: str, personas: Personas
) -> None:
    batch(personas.editor, personas.team, 6, "editor's")
    batch(personas.owner, personas.team, 6, "owner's")
    config = sender()
    poller = PollerConfig.from_settings(owner="poller")
    deadline = time.monotonic() + 120
    peak = 0
    while Generation.objects.exclude(state="completed").exists():
        assert time.monotonic() < deadline, states()
        send_once(config)
        peak = max(peak, engine_running())
        run_pending_renders()
        Generation.objects.filter(state__in=["queued", "processing"]).update(
            next_poll_at=timezone.now()
        )
        poll_once(poller)
        time.sleep(0.05)
    assert peak <= 2
    assert EngineGeneration.objects.count() == 12  # each sent exactly once
    assert not CreateAttempt.objects.filter(status=429).exists()
    assert not Generation.objects.filter(state="refused").exists()
    # Members in turn: the order of sending alternates while both have takes waiting.
    order = list(
        Generation.objects.order_by("submitted_at").values_list("author__email", flat=True)
    )
    assert all(order[i] != order[i + 1] for i in range(10)), order


def test_a_429_returns_it_to_waiting_and_it_is_sent_after_retry_after(
    limited: str, personas: Personas, settings: Any
) -> None:
    # The studio believes it may send more than the engine takes: the engine says 429.
    settings.LUMA_MAX_RPM = settings.LUMA_MAX_CONCURRENT = 10
    settings.ENGINE_CONCURRENT_LIMIT = 10
    settings.ENGINE_RPM_LIMIT = 2
    takes = batch(personas.editor, personas.team, 3)
    report = send_once(sender())
    assert (report.sent, report.rate_limited, report.refused) == (2, 1, 0)
    late = Generation.objects.get(state="waiting")
    assert late.remote_id is None
    kinds = list(late.events.values_list("kind", flat=True))
    assert kinds == ["recorded", "sending", "rate_limited"]
    governor = ApiGovernor.objects.get()
    assert governor.blocked_until is not None and governor.blocked_until > timezone.now()
    assert "next slot in" in (waiting_reason(late) or "")

    assert send_once(sender()).sent == 0  # not before the Retry-After
    time.sleep(max(0.0, (governor.blocked_until - timezone.now()).total_seconds()) + 0.2)
    assert send_once(sender()).sent == 1
    assert {g.state for g in Generation.objects.filter(id__in=[t.id for t in takes])} == {"queued"}
    assert EngineGeneration.objects.count() == 3


def test_the_studios_limits_hold_without_a_single_429(limited: str, personas: Personas) -> None:
    batch(personas.editor, personas.team, 8)
    config = sender()
    report = send_once(config)
    assert report.sent == 2  # two running jobs at most
    assert "2 of 2 jobs running on this API key" in (
        waiting_reason(Generation.objects.filter(state="waiting").first()) or ""
    )
    deadline = time.monotonic() + 30
    while Generation.objects.filter(state="waiting").exists():
        assert time.monotonic() < deadline
        run_pending_renders()
        Generation.objects.filter(state__in=["queued", "processing"]).update(
            next_poll_at=timezone.now()
        )
        poll_once(PollerConfig.from_settings(owner="poller"))
        send_once(config)
        assert engine_running() <= 2
    assert not CreateAttempt.objects.filter(status=429).exists()


def test_cancel_releases_the_budget_and_sends_nothing(limited: str, personas: Personas) -> None:
    (one, two) = batch(personas.editor, personas.team, 2)
    assert month_spend(personas.team) == Decimal("0.12")
    assert lifecycle.cancel(one)
    assert month_spend(personas.team) == Decimal("0.06")
    assert not lifecycle.cancel(one)  # once
    send_once(sender())
    one.refresh_from_db()
    assert one.state == "cancelled" and one.remote_id is None
    assert EngineGeneration.objects.count() == 1
    two.refresh_from_db()
    assert not lifecycle.cancel(two)  # already sent: too late


def test_pause_holds_the_team_queue_and_resume_lets_it_go(limited: str, personas: Personas) -> None:
    (take,) = batch(personas.editor, personas.team, 1)
    set_queue_paused(personas.team, True)
    assert send_once(sender()).sent == 0
    take.refresh_from_db()
    assert waiting_reason(take) == "waiting: an owner paused the team's queue"
    set_queue_paused(personas.team, False)
    assert send_once(sender()).sent == 1


def test_move_to_front_goes_first_in_the_authors_own_queue(
    limited: str, personas: Personas, settings: Any
) -> None:
    settings.LUMA_MAX_CONCURRENT = 1
    first, second, third = batch(personas.editor, personas.team, 3)
    assert lifecycle.move_to_front(third)
    send_once(sender())
    sent = Generation.objects.get(remote_id__isnull=False)
    assert sent.id == third.id
    assert list(third.events.values_list("kind", flat=True))[:2] == ["recorded", "moved_to_front"]


def test_a_sender_killed_after_the_post_never_sends_twice(
    limited: str, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    (take,) = batch(personas.editor, personas.team, 1)

    def killed(*args: object, **kwargs: object) -> bool:
        raise SystemExit("killed between the POST and recording the id")

    monkeypatch.setattr(lifecycle, "accepted", killed)
    with pytest.raises(SystemExit):
        send_once(sender("doomed"))
    monkeypatch.undo()
    take.refresh_from_db()
    assert take.state == "sending" and take.remote_id is None
    assert EngineGeneration.objects.count() == 1

    # Another sender leaves it alone while the lease runs, then marks it uncertain.
    assert send_once(sender("next")).worked == 0
    Generation.objects.filter(pk=take.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert send_once(sender("next")).recovered == 1
    take.refresh_from_db()
    assert take.state == "uncertain"
    for _ in range(3):
        send_once(sender("next"))
    assert EngineGeneration.objects.count() == 1


def test_two_senders_share_the_limits(limited: str, personas: Personas) -> None:
    batch(personas.editor, personas.team, 5)
    batch(personas.owner, personas.team, 5)
    errors: list[BaseException] = []
    peaks: list[int] = []

    def run(name: str) -> None:
        try:
            for _ in range(15):
                send_once(sender(name))
                peaks.append(engine_running())
                time.sleep(0.02)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert max(peaks) <= 2
    sent = Generation.objects.filter(remote_id__isnull=False).count()
    assert sent == EngineGeneration.objects.count() == 2
    assert not CreateAttempt.objects.filter(status=429).exists()
