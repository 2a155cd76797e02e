"""The render worker's step: claim one job, render it, record the outcome.

A job is claimed with a conditional UPDATE, so of several workers exactly one gets
it. The claim is a lease (ENGINE_LEASE_SECONDS) that the rendering worker renews; a
worker that dies leaves a lease that runs out, and the job is claimed again (up to
MAX_ATTEMPTS, then failed with generation_failed) — never left ``processing`` forever.
Work in progress lives in a scratch folder per attempt (studio.engine.scratch), swept
after every claim, so a killed render leaves nothing behind for long. Finished outputs
are kept in the engine's store (studio.engine.storage) before the job is marked
completed: on disk renamed into place, in a bucket uploaded from the scratch folder.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio import mediastore
from studio.contract import FAILURE_REASONS
from studio.engine import faults, scratch
from studio.engine.inputs import InputProblem, build_job
from studio.engine.models import ApiKey, EngineGeneration
from studio.engine.refs import generation_folder
from studio.engine.storage import ENGINE
from studio.media import MediaError, probe_video
from studio.render import RenderAborted, RenderError, render

log = logging.getLogger("studio.engine")

MAX_ATTEMPTS = 3
State = EngineGeneration.State


def lease_length() -> timedelta:
    return timedelta(seconds=settings.ENGINE_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    # Several renewals per lease: one late write (a busy database) does not lose the job.
    return settings.ENGINE_LEASE_SECONDS / 6


def _claimable(now: object) -> Q:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return (Q(state=State.QUEUED) & free) | Q(state=State.PROCESSING, lease_until__lt=now)


def fail_abandoned() -> int:
    """Jobs whose renders died MAX_ATTEMPTS times: failed, not retried again."""
    now = timezone.now()
    return EngineGeneration.objects.filter(
        state=State.PROCESSING, lease_until__lt=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        state=State.FAILED,
        failure_code="generation_failed",
        failure_reason=FAILURE_REASONS["generation_failed"],
        finished_at=now,
        lease_owner="",
        lease_until=None,
    )


def claim(worker: str) -> EngineGeneration | None:
    fail_abandoned()
    now = timezone.now()
    candidates = (
        EngineGeneration.objects.filter(_claimable(now))
        .order_by("created_at")
        .values_list("id", flat=True)[:20]
    )
    for generation_id in candidates:
        taken = (
            EngineGeneration.objects.filter(_claimable(now), id=generation_id)
            .filter(attempts__lt=MAX_ATTEMPTS)
            .update(
                state=State.PROCESSING,
                lease_owner=worker,
                lease_until=now + lease_length(),
                attempts=F("attempts") + 1,
                started_at=Coalesce("started_at", Value(now)),
                progress=0.0,
            )
        )
        if taken:
            return EngineGeneration.objects.get(id=generation_id)
    return None


class Lease:
    """Renews the claim while rendering; says when to stop (shutdown or lost lease)."""

    def __init__(self, generation: EngineGeneration, worker: str, stop: Callable[[], bool]):
        self.generation = generation
        self.worker = worker
        self.stop = stop
        self.lost = False
        self.last = time.monotonic()
        self.progress = 0.0

    def renew(self) -> None:
        if time.monotonic() - self.last < heartbeat_seconds():
            return
        self.last = time.monotonic()
        kept = EngineGeneration.objects.filter(
            id=self.generation.id, lease_owner=self.worker, state=State.PROCESSING
        ).update(lease_until=timezone.now() + lease_length(), progress=self.progress)
        self.lost = kept == 0

    def should_stop(self) -> bool:
        self.renew()
        return self.lost or self.stop()

    def report(self, fraction: float) -> None:
        self.progress = max(0.0, min(1.0, fraction))
        self.renew()


def _mine(generation: EngineGeneration, worker: str) -> QuerySet[EngineGeneration]:
    return EngineGeneration.objects.filter(
        id=generation.id, lease_owner=worker, state=State.PROCESSING
    )


def fail(generation: EngineGeneration, worker: str, code: str) -> None:
    _mine(generation, worker).update(
        state=State.FAILED,
        failure_code=code,
        failure_reason=FAILURE_REASONS[code],
        finished_at=timezone.now(),
        lease_owner="",
        lease_until=None,
    )


def release(generation: EngineGeneration, worker: str) -> None:
    """Give a job back untouched (shutdown): the attempt does not count."""
    _mine(generation, worker).update(
        state=State.QUEUED,
        lease_owner="",
        lease_until=None,
        attempts=F("attempts") - 1,
        progress=0.0,
    )


def moderated(prompt: str) -> bool:
    words = set(re.findall(r"[\w']+", prompt.lower()))
    return any(word.lower() in words for word in settings.ENGINE_MODERATION_WORDS)


def process_one(worker: str, stop: Callable[[], bool] = lambda: False) -> bool:
    """Claim and run one job; whether there was one. Never raises for a job's fault."""
    generation = claim(worker)
    if generation is None:
        return False
    try:
        # Among what it sweeps: an earlier attempt at this very job, killed mid-render.
        scratch.sweep()
    except Exception:
        log.exception("engine: sweeping scratch folders failed")
    try:
        _run(generation, worker, stop)
    except RenderAborted:
        log.info("engine: render of %s abandoned; back in the queue", generation.id)
        release(generation, worker)
    except Exception:
        log.exception("engine: render of %s failed", generation.id)
        fail(generation, worker, "generation_failed")
    return True


def outputs_folder(generation: EngineGeneration) -> str:
    """The generation's outputs' folder in the engine's store."""
    return f"{generation_folder(generation.id)}/out"


@dataclass
class Attempt:
    """Where one attempt works: inputs' copies, the render's scratch, its finished files."""

    inputs: Path | None
    work: Path
    out: Path


def _attempt_folders(generation: EngineGeneration) -> Attempt:
    folder = scratch.folder_for(generation)
    if mediastore.is_local(ENGINE):
        # Inputs are read in place; outputs are finished beside their final place.
        out = mediastore.disk_path(outputs_folder(generation), ENGINE)
        return Attempt(inputs=None, work=folder, out=out)
    return Attempt(inputs=folder / "inputs", work=folder / "work", out=folder / "out")


def _run(generation: EngineGeneration, worker: str, stop: Callable[[], bool]) -> None:
    if moderated(str(generation.request.get("prompt", ""))):
        fail(generation, worker, "content_moderated")
        return
    if faults.render_fails(str(generation.id), generation.attempts):
        fail(generation, worker, "generation_failed")
        return
    try:
        _attempt(generation, worker, stop, _attempt_folders(generation))
    finally:
        shutil.rmtree(scratch.folder_for(generation), ignore_errors=True)


def _attempt(
    generation: EngineGeneration, worker: str, stop: Callable[[], bool], folders: Attempt
) -> None:
    try:
        job = build_job(generation, folders.inputs)
    except InputProblem as problem:
        log.info("engine: %s has a bad input: %s", generation.id, problem)
        fail(generation, worker, problem.code)
        return
    lease = Lease(generation, worker, stop)
    try:
        result = render(
            job,
            folders.out,
            scratch=folders.work,
            should_stop=lease.should_stop,
            progress=lease.report,
        )
    except RenderError as problem:
        log.info("engine: %s cannot be rendered: %s", generation.id, problem)
        fail(generation, worker, "corrupt_input")
        return
    if lease.lost:
        return
    try:
        frames = probe_video(result.video).frames
    except MediaError:
        fail(generation, worker, "output_not_found")
        return
    # Kept before the job says completed: whoever reads it finds its outputs there.
    folder = outputs_folder(generation)
    video = mediastore.put(f"{folder}/{result.video.name}", result.video, ENGINE)
    exr = ""
    if result.exr_zip is not None:
        exr = mediastore.put(f"{folder}/{result.exr_zip.name}", result.exr_zip, ENGINE)
    _complete(generation, worker, video, exr, frames)


def _complete(generation: EngineGeneration, worker: str, video: str, exr: str, frames: int) -> None:
    """Charge the key and publish the outputs (names in the engine's store) in one
    transaction."""
    if not _publish(generation, worker, video, exr, frames):
        # Not delivered: nothing of it is kept.
        mediastore.delete_folder(outputs_folder(generation), ENGINE)


def _publish(generation: EngineGeneration, worker: str, video: str, exr: str, frames: int) -> bool:
    """False when the balance ran out while it rendered (failed, not charged)."""
    now = timezone.now()
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=generation.key_id)
        balance = key.balance if settings.ENGINE_BALANCE_ENABLED else None
        charge = balance is not None
        if balance is not None and balance < generation.price:
            fail(generation, worker, "budget_exhausted")
            return False
        done = _mine(generation, worker).update(
            state=State.COMPLETED,
            video_path=video,
            exr_path=exr,
            frames=frames,
            progress=1.0,
            finished_at=now,
            lease_owner="",
            lease_until=None,
            charged=charge,
        )
        if done and charge:
            ApiKey.objects.filter(pk=key.pk).update(balance=F("balance") - generation.price)
    return True
