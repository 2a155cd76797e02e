"""Scratch folders of renders: one per job attempt, swept once no live lease covers it.

With the engine's store on disk, a render writes its partial MP4 and EXR frames into
``ENGINE_MEDIA_ROOT/.scratch/<job id>.<attempt>`` (on the outputs' file system, so the
finished files are renamed into place, not copied). With a bucket, the whole attempt
(copies of its inputs, the work in progress and the finished files, until they are
uploaded) lives in ``<system temp>/studio-engine-<job id>.<attempt>``, so nothing of the
media stays on the worker's disk. Either way the render removes its folder when it ends,
however it ends, unless its process is killed. A killed process cannot clean up after
itself, so `sweep()` runs when a worker starts and after every claim.

The rule that makes a sweep safe while other workers render: a folder is kept only while
its job is processing, in that very attempt, under a lease that has not run out. A worker
claims a job (and the claim is committed) before it makes the folder, and the sweep lists
the folders before it reads the jobs, so it never sees a folder newer than the claim it
reads. A worker whose lease ran out may lose its folder: it has lost the job too, and
nothing it does afterwards is recorded. In the system's temp folder, which other studios
on the machine share, a folder whose job this database does not know is left alone.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from studio import mediastore
from studio.engine.models import EngineGeneration
from studio.engine.storage import ENGINE

FOLDER = ".scratch"
# In the system's temp folder, among others' folders: the name says whose it is.
TEMP_PREFIX = f"{mediastore.SCRATCH_PREFIX}engine-"


def _place() -> tuple[Path, str]:
    """The folder holding the scratch folders, and the prefix of their names."""
    if mediastore.is_local(ENGINE):
        return Path(settings.ENGINE_MEDIA_ROOT) / FOLDER, ""
    return Path(tempfile.gettempdir()), TEMP_PREFIX


def root() -> Path:
    return _place()[0]


def folder_for(generation: EngineGeneration) -> Path:
    """Where this attempt at ``generation`` (as claimed) writes its work in progress."""
    folder, prefix = _place()
    return folder / f"{prefix}{generation.id}.{generation.attempts}"


def _parse(name: str, prefix: str) -> tuple[uuid.UUID, int] | None:
    if not name.startswith(prefix):
        return None
    job, _, attempt = name.removeprefix(prefix).partition(".")
    try:
        return uuid.UUID(job), int(attempt)
    except ValueError:
        return None


def sweep() -> int:
    """Remove the scratch folders no running attempt owns; how many were removed."""
    folder, prefix = _place()
    try:
        entries = [(entry, _parse(entry.name, prefix)) for entry in folder.iterdir()]
    except FileNotFoundError:
        return 0
    # Only names this module makes are judged; anything else is left alone.
    ours = [(entry, key) for entry, key in entries if key is not None]
    if not ours:
        return 0
    now = timezone.now()
    known: set[uuid.UUID] = set()
    live: set[tuple[uuid.UUID, int]] = set()
    rows = EngineGeneration.objects.filter(id__in={job for _, (job, _) in ours})
    for job, attempts, state, lease_until in rows.values_list(
        "id", "attempts", "state", "lease_until"
    ):
        known.add(job)
        if state == EngineGeneration.State.PROCESSING and lease_until and lease_until > now:
            live.add((job, attempts))
    # The system's temp folder may hold another studio's renders (another database):
    # there, a job this database does not know is not ours to judge.
    shared = bool(prefix)
    removed = 0
    for entry, key in ours:
        if key in live or (shared and key[0] not in known):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed
