from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.generations import progress
from tests.poller.conftest import past


def finished(make_generation: Any, seconds: float, **shape: Any) -> Any:
    start = past(seconds + 100)
    return make_generation(
        state="completed",
        outputs_ready=True,
        submitted_at=start,
        finished_at=start + dt.timedelta(seconds=seconds),
        **shape,
    )


def test_defaults_without_history_scale_with_the_work(make_generation: Any) -> None:
    small = make_generation(resolution="360p", duration="5s")
    base = make_generation(resolution="720p", duration="5s")
    big = make_generation(resolution="1080p", duration="10s")
    hdr = make_generation(resolution="1080p", duration="5s", hdr=True)
    seconds = [progress.expected_seconds(g) for g in (small, base, big, hdr)]
    assert seconds[1] == progress.BASE_SECONDS
    assert seconds[0] < seconds[1] < seconds[3]
    assert seconds[1] < seconds[2]


def test_history_of_the_same_shape_gives_the_median(make_generation: Any) -> None:
    for s in (10, 20, 30, 400):
        finished(make_generation, s, resolution="540p")
    # Other shapes do not count.
    for s in (1000, 1000, 1000):
        finished(make_generation, s, resolution="540p", hdr=True, kind="video_edit")
    current = make_generation(resolution="540p")
    assert progress.expected_seconds(current) == 25.0
    # Too few samples: the default.
    finished(make_generation, 5, resolution="360p")
    assert progress.expected_seconds(
        make_generation(resolution="360p")
    ) == progress.default_seconds(("video", "360p", "5s", False))


def test_expected_times_load_in_one_query(make_generation: Any) -> None:
    for s in (10, 20, 30):
        finished(make_generation, s)
        finished(make_generation, s * 10, resolution="1080p")
    with CaptureQueriesContext(connection) as queries:
        times = progress.ExpectedTimes.load()
        a = times.for_generation(_shape_only("720p"))
        b = times.for_generation(_shape_only("1080p"))
    assert len(queries) == 1
    assert (a, b) == (20.0, 200.0)


def _shape_only(resolution: str) -> Any:
    from studio.generations.models import Generation

    return Generation(kind="video", resolution=resolution, duration="5s", hdr=False)


def test_progress_in_flight_on_time_and_overdue(make_generation: Any) -> None:
    times = progress.ExpectedTimes({("video", "720p", "5s", False): [100.0] * 3})
    now = timezone.now()
    early = make_generation(state="processing", submitted_at=now - dt.timedelta(seconds=40))
    data = progress.progress_of(early, times, now)
    assert data["state"] == "processing"
    assert data["state_label"] == "Processing"
    assert data["fraction"] == pytest.approx(0.4)
    assert data["remaining_s"] == pytest.approx(60.0)
    assert data["overdue"] is False and data["in_flight"] is True

    late = make_generation(state="processing", submitted_at=now - dt.timedelta(seconds=250))
    data = progress.progress_of(late, times, now)
    assert data["overdue"] is True
    assert data["fraction"] == progress.MAX_FRACTION_IN_FLIGHT
    assert data["remaining_s"] == 0.0

    saving = make_generation(state="completed", submitted_at=now - dt.timedelta(seconds=50))
    data = progress.progress_of(saving, times, now)
    assert data["state_label"] == "Saving outputs"
    assert data["in_flight"] is True and data["fraction"] < 1.0


def test_progress_done_and_failed(make_generation: Any) -> None:
    times = progress.ExpectedTimes()
    start = past(300)
    done = make_generation(
        state="completed",
        outputs_ready=True,
        submitted_at=start,
        finished_at=start + dt.timedelta(seconds=42),
    )
    data = progress.progress_of(done, times)
    assert (data["fraction"], data["elapsed_s"], data["in_flight"]) == (1.0, 42.0, False)
    assert data["poster_url"] is None  # no poster kept (yet)

    failed = make_generation(
        state="failed",
        failure_code="content_moderated",
        failure_reason="Generation output was flagged by our content moderation system.",
        finished_at=timezone.now(),
    )
    data = progress.progress_of(failed, times)
    assert data["failure"]["kind"] == "edit_prompt"
    assert data["failure"]["reason"].startswith("Generation output was flagged")
    assert data["overdue"] is False


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("generation_failed", "retry"),
        ("output_not_found", "retry"),
        ("rate_limited", "retry"),
        ("content_moderated", "edit_prompt"),
        ("budget_exhausted", "funds"),
        ("something_new", "none"),
        ("", "none"),
        (None, "none"),
    ],
)
def test_failure_advice(code: str | None, kind: str) -> None:
    advice = progress.failure_advice(code)
    assert advice["kind"] == kind
    assert bool(advice["label"]) == (kind != "none")
