"""The engine worker's share of previews: render one, and sweep what has expired.

A person's previews render one at a time: a queued preview is claimed only while none
of its owner's is rendering, with a conditional UPDATE, so of several workers exactly one
gets it. A preview whose worker died while rendering is failed by the sweep once it has
rendered for longer than STALE; nothing is retried (the person just previews again).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from studio import mediastore
from studio.previews.models import FOLDER, KEEP, VIDEO_NAME, Preview, folder_of, media_folder

log = logging.getLogger("studio.previews")

State = Preview.State
# Far longer than any draft render takes; only a dead worker's preview is this old.
STALE = timedelta(minutes=15)
RENDER_FAILED = "The preview could not be rendered."
STOPPED = "The preview stopped rendering (the worker ended): preview again."


def claim(worker: str) -> Preview | None:
    busy = Preview.objects.filter(state=State.RENDERING).values("owner_id")
    candidates = (
        Preview.objects.filter(state=State.QUEUED)
        .exclude(owner_id__in=busy)
        .order_by("created_at")
        .values_list("id", flat=True)[:20]
    )
    for preview_id in candidates:
        taken = Preview.objects.filter(id=preview_id, state=State.QUEUED).update(
            state=State.RENDERING, worker=worker, started_at=timezone.now()
        )
        if taken:
            return Preview.objects.get(id=preview_id)
    return None


def process_one(worker: str, stop: Callable[[], bool] = lambda: False) -> bool:
    """Claim and render one preview; whether there was one. Never raises for its fault."""
    # Imported here: this module is also loaded where the engine is switched off.
    from studio.engine.inputs import InputProblem
    from studio.render import RenderAborted, RenderError

    preview = claim(worker)
    if preview is None:
        return False
    try:
        _render(preview, stop)
    except RenderAborted:
        # Shutdown: back in the queue for the next worker, unless a newer one replaced it.
        Preview.objects.filter(id=preview.id, state=State.RENDERING).update(
            state=State.QUEUED, worker="", started_at=None
        )
    except (InputProblem, RenderError) as problem:
        log.info("previews: %s cannot be rendered: %s", preview.id, problem)
        _finish(preview, State.FAILED, f"{RENDER_FAILED} {problem}")
    except Exception:
        log.exception("previews: render of %s failed", preview.id)
        _finish(preview, State.FAILED, RENDER_FAILED)
    return True


def _render(preview: Preview, stop: Callable[[], bool]) -> None:
    from studio.engine.inputs import InputProblem, job_for
    from studio.render import render

    local = mediastore.is_local()
    with contextlib.ExitStack() as scratch:
        # With a bucket, inputs are read from scratch copies and the render happens in a
        # scratch folder; only the finished MP4 goes back to the store.
        folder = folder_of(preview.id) if local else scratch.enter_context(mediastore.scratch_dir())

        def locate(path: str) -> Path:
            entry = preview.inputs.get(path) or {}
            if local and "file" in entry:
                return folder / entry["file"]
            name = entry.get("media") or ""
            if "file" in entry:
                name = f"{media_folder(preview.id)}/{entry['file']}"
            if name and (not local or mediastore.disk_path(name).is_file()):
                with contextlib.suppress(FileNotFoundError):
                    return scratch.enter_context(mediastore.readable(name))
            raise InputProblem("invalid_request", f"{path}: the input is gone")

        job = job_for(preview.request, locate, draft=True)
        result = render(job, folder, should_stop=stop)
        if result.video != folder / VIDEO_NAME:
            os.replace(result.video, folder / VIDEO_NAME)
        if not local:
            mediastore.put(preview.media_name, folder / VIDEO_NAME)
    _finish(preview, State.READY)


def _finish(preview: Preview, state: str, reason: str = "") -> None:
    Preview.objects.filter(id=preview.id, state=State.RENDERING).update(
        state=state, failure_reason=reason, finished_at=timezone.now()
    )


def sweep(now: datetime | None = None) -> int:
    """Remove expired previews and their files, fail dead renders, and remove folders
    no preview owns (left by a start that crashed); how many previews were removed."""
    now = now or timezone.now()
    Preview.objects.filter(state=State.RENDERING, started_at__lt=now - STALE).update(
        state=State.FAILED, failure_reason=STOPPED, finished_at=now
    )
    expired = list(Preview.objects.filter(expires_at__lte=now).values_list("id", flat=True))
    Preview.objects.filter(id__in=expired).delete()
    for preview_id in expired:
        mediastore.delete_folder(media_folder(preview_id))
    if mediastore.is_local():
        # Walking a whole bucket each sweep would cost more than the strays (a start
        # removes its inputs when it fails; a lifecycle rule on previews/ catches a kill).
        _sweep_orphans(now)
    return len(expired)


def _sweep_orphans(now: datetime) -> None:
    root = Path(settings.MEDIA_ROOT) / FOLDER
    try:
        entries = list(root.iterdir())
    except FileNotFoundError:
        return
    named: dict[uuid.UUID, Path] = {}
    for entry in entries:
        try:
            named[uuid.UUID(entry.name)] = entry
        except ValueError:
            continue  # not a name this app makes: left alone
    known = set(Preview.objects.filter(id__in=list(named)).values_list("id", flat=True))
    # A folder younger than a preview's life may belong to a start still staging inputs.
    cutoff = (now - KEEP).timestamp()
    for preview_id, entry in named.items():
        if preview_id not in known and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
