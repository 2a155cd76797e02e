"""One pass of the poller: claim due rows, GET them, record, download, derive, release.

The database work happens in this thread; the network work (and the decoding and
encoding of derived media) runs on other threads, which never make an ORM call, while
this one keeps the pass's leases alive (claims.Heartbeat).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from studio.client import ApiError
from studio.generations import lifecycle, signals
from studio.generations.models import Generation, GenerationState
from studio.generations.poller import cadence, claims, outputs, record, remote
from studio.generations.progress import ExpectedTimes
from studio.generations.routing import no_key_reason, route_for
from studio.media import MediaError
from studio.workers.loop import make_owner

log = logging.getLogger("studio.poller")

# GETs of a pass should not wait on one slow answer for long; the row is simply retried.
POLL_TIMEOUT_CAP_S = 10.0


@dataclass(frozen=True)
class PollerConfig:
    owner: str
    batch: int = 200
    concurrency: int = 16
    download_concurrency: int = 4
    lease_seconds: float = 45.0
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, owner: str | None = None, **overrides: Any) -> PollerConfig:
        config = cls(
            owner=owner or make_owner(),
            batch=settings.POLLER_BATCH,
            concurrency=settings.POLLER_CONCURRENCY,
            download_concurrency=max(1, min(4, settings.POLLER_CONCURRENCY)),
            lease_seconds=float(settings.POLLER_LEASE_SECONDS),
            timeout=float(settings.LUMA_TIMEOUT),
        )
        return dataclasses.replace(config, **overrides)


@dataclass
class PassReport:
    claimed: int = 0
    polled: int = 0
    errors: int = 0
    downloaded: int = 0
    failed_downloads: int = 0
    # Failed GETs by HTTP status ("none": no answer at all), for /metrics.
    get_errors: dict[str, int] = dataclasses.field(default_factory=dict)
    # Seconds spent per phase (claim, get, record, download), for logs and the benchmark.
    timings: dict[str, float] = dataclasses.field(default_factory=dict)


def api_key_of(generation: Generation) -> remote.ApiKey | None:
    """Which API a generation went to and the key to ask it with (None: no key any more)."""
    route = route_for(generation)
    return (route.base_url, route.key) if route is not None else None


def poll_once(
    config: PollerConfig | None = None, *, rand: cadence.Rand | None = None
) -> PassReport:
    """Work every due generation once (up to ``config.batch``); returns what was done."""
    config = config or PollerConfig.from_settings()
    if not connection.in_atomic_block:
        # Drops connections the database closed while we slept; never one that a
        # caller's transaction (a test's, for one) is using.
        close_old_connections()
    started = time.perf_counter()
    rows = claims.claim_batch(config.owner, config.batch, config.lease_seconds)
    report = PassReport(claimed=len(rows))
    report.timings["claim"] = time.perf_counter() - started
    if not rows:
        return report
    heartbeat = claims.Heartbeat(rows, config.owner, config.lease_seconds)
    try:
        fetch = _poll(rows, config, report, rand, heartbeat)
        if fetch:
            _download(fetch, config, report, rand, heartbeat)
    finally:
        claims.release([row.id for row in rows], config.owner)
    return report


def _poll(
    rows: list[Generation],
    config: PollerConfig,
    report: PassReport,
    rand: cadence.Rand | None,
    heartbeat: claims.Heartbeat,
) -> dict[Generation, remote.FetchJob]:
    by_id = {row.id: row for row in rows}
    jobs: list[tuple[uuid.UUID, remote.ApiKey, str]] = []
    changes: dict[Generation, record.Change] = {}
    now = timezone.now()
    for row in rows:
        key = api_key_of(row)
        if key is None:
            # Never another key in its place: the row waits (slowly) for its own again.
            error = ApiError(None, no_key_reason(row), sent=False)
            changes[row] = record.failed_attempt(
                row, error, "poll", now, cap=cadence.STUBBORN_CAP_S, rand=rand
            )
            continue
        jobs.append((row.id, key, str(row.remote_id)))
    timeout = min(config.timeout, POLL_TIMEOUT_CAP_S)
    started = time.perf_counter()
    looks = heartbeat.run(remote.look_all, jobs, concurrency=config.concurrency, timeout=timeout)
    report.timings["get"] = time.perf_counter() - started
    started = time.perf_counter()
    times = ExpectedTimes.load()
    now = timezone.now()
    fetch: dict[Generation, remote.FetchJob] = {}
    for token, key, remote_id in jobs:
        row, look = by_id[token], looks[token]
        report.polled += 1
        if look.error is not None or look.answer is None:
            report.errors += 1
            error = look.error or ApiError(None, "empty answer", sent=True)
            status = str(getattr(error, "status", None) or "none")
            report.get_errors[status] = report.get_errors.get(status, 0) + 1
            changes[row] = record.failed_attempt(row, error, "poll", now, rand=rand)
            continue
        changes[row] = record.answered(row, look.answer, now, times, rand=rand)
        if look.answer.get("state") == GenerationState.COMPLETED:
            fetch[row] = remote.FetchJob(
                key=key, remote_id=remote_id, answer=look.answer, folder=outputs.folder_of(row)
            )
    written = record.write(changes, config.owner)
    for row, change in changes.items():
        if row.id in written and change.fields.get("state") == GenerationState.FAILED:
            signals.generation_ended.send(Generation, generation_id=row.id)
    report.timings["record"] = time.perf_counter() - started
    return {row: job for row, job in fetch.items() if row.id in written}


def _download(
    fetch: dict[Generation, remote.FetchJob],
    config: PollerConfig,
    report: PassReport,
    rand: cadence.Rand | None,
    heartbeat: claims.Heartbeat,
) -> None:
    jobs: dict[Generation, remote.FetchJob] = {}
    # Renewed now: what the sweep removes must be ours alone, for a full lease at least.
    heartbeat.beat(now=True)
    for row, job in fetch.items():
        if not heartbeat.holds(row):
            continue
        outputs.sweep_leftovers(row)
        jobs[row] = dataclasses.replace(
            job, skip=frozenset(outputs.kept_kinds(row)), folder=outputs.download_folder(row)
        )
    started = time.perf_counter()
    try:
        results = heartbeat.run(
            remote.fetch_all, jobs, concurrency=config.download_concurrency, timeout=config.timeout
        )
        for row, result in results.items():
            heartbeat.beat()
            if heartbeat.holds(row):
                _keep(row, result, config, report, rand, heartbeat)
    finally:
        # With a bucket the downloads landed in scratch folders: nothing may stay behind.
        for job in jobs.values():
            outputs.release_download_folder(job.folder)
    report.timings["download"] = time.perf_counter() - started


def _keep(
    row: Generation,
    result: remote.Fetched,
    config: PollerConfig,
    report: PassReport,
    rand: cadence.Rand | None,
    heartbeat: claims.Heartbeat,
) -> None:
    # Whatever arrived complete is kept even when a sibling output failed.
    for kind, download in result.files.items():
        outputs.keep_download(row, kind, download)
    if result.error is not None:
        report.failed_downloads += 1
        _retry(row, result.error, "download", config, rand)
        return
    try:
        outputs.derive(row, run=heartbeat.run)
    except Exception as exc:
        # Any failure here is this row's alone: it is rescheduled with backoff, so it can
        # neither stop the pass for the others nor make the poller crash-loop on it.
        if isinstance(exc, (MediaError, OSError)):
            log.warning("derived media of %s failed: %s", row.id, exc)
        else:
            log.exception("derived media of %s failed unexpectedly", row.id)
        report.failed_downloads += 1
        _retry(row, exc, "derive", config, rand)
        return
    now = timezone.now()
    change = record.Change(
        fields={
            "outputs_ready": True,
            "next_poll_at": None,
            "poll_failures": 0,
            "error_detail": "",
        }
    )
    sizes = ", ".join(f"{k} {d.size} bytes" for k, d in sorted(result.files.items()))
    sizes = sizes or "outputs kept by an earlier pass"
    detail = sizes + (f"; {result.refreshed} link(s) refreshed" if result.refreshed else "")
    change.event(row, now, lifecycle.EventKind.DOWNLOADED, state=row.state, detail=detail)
    if record.write({row: change}, config.owner):
        report.downloaded += 1
        # Completed is news once its outputs are kept, so the link plays.
        signals.generation_ended.send(Generation, generation_id=row.id)


def _retry(
    row: Generation,
    exc: BaseException,
    what: str,
    config: PollerConfig,
    rand: cadence.Rand | None,
) -> None:
    change = record.failed_attempt(
        row, exc, what, timezone.now(), cap=cadence.STUBBORN_CAP_S, rand=rand
    )
    record.write({row: change}, config.owner)


def seconds_until_due(now: dt.datetime | None = None) -> float | None:
    """How long until the next row is due (None when nothing waits), for idle sleeps."""
    now = now or timezone.now()
    soonest = (
        claims.due(now + dt.timedelta(days=3650))
        .exclude(next_poll_at__isnull=True)
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first()
    )
    if soonest is None:
        return 0.0 if claims.due(now).exists() else None
    return max(0.0, (soonest - now).total_seconds())
