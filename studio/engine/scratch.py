"""Scratch folders of renders: one per job attempt, swept once no live lease covers it.

A render writes its partial MP4 and EXR frames into
``ENGINE_MEDIA_ROOT/.scratch/<job id>.<attempt>`` (on the outputs' file system, so the
finished files are renamed into place, not copied) and removes the folder when it ends,
however it ends, unless its process is killed. A killed process cannot clean up after
itself, so `sweep()` runs when a worker starts and after every claim.

The rule that makes a sweep safe while other workers render: a folder is kept only while
its job is processing, in that very attempt, under a lease that has not run out. A worker
claims a job (and the claim is committed) before it makes the folder, and the sweep lists
the folders before it reads the jobs, so it never sees a folder newer than the claim it
reads. A worker whose lease ran out may lose its folder: it has lost the job too, and
nothing it does afterwards is recorded.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from studio.engine.models import EngineGeneration

FOLDER = ".scratch"


def root() -> Path:
    return Path(settings.ENGINE_MEDIA_ROOT) / FOLDER


def folder_for(generation: EngineGeneration) -> Path:
    """Where this attempt at ``generation`` (as claimed) writes its work in progress."""
    return root() / f"{generation.id}.{generation.attempts}"


def _parse(name: str) -> tuple[uuid.UUID, int] | None:
    job, _, attempt = name.partition(".")
    try:
        return uuid.UUID(job), int(attempt)
    except ValueError:
        return None


def sweep() -> int:
    """Remove the scratch folders no running attempt owns; how many were removed."""
    try:
        entries = [(entry, _parse(entry.name)) for entry in root().iterdir()]
    except FileNotFoundError:
        return 0
    # Only names this module makes are judged; anything else is left alone.
    ours = [(entry, key) for entry, key in entries if key is not None]
    if not ours:
        return 0
    live = set(
        EngineGeneration.objects.filter(
            id__in={job for _, (job, _) in ours},
            state=EngineGeneration.State.PROCESSING,
            lease_until__gt=timezone.now(),
        ).values_list("id", "attempts")
    )
    removed = 0
    for entry, key in ours:
        if key not in live:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed
