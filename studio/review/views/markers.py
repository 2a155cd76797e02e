"""Markers for the edit: one generation's comments as CSV, EDL, OTIO or FCP 7 XML; a
selection, a batch or an extend chain as one OTIO timeline or one MP4 animatic.

Members sign in as usual; scripts send an API token (``Authorization: Bearer …``).
"""

from __future__ import annotations

import functools
import logging
import tempfile
import uuid
from collections.abc import Callable

import av
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_GET

from studio.contract import FPS
from studio.generations.access import get_generation_for
from studio.generations.models import Generation, Output
from studio.review import animatic, export, markers
from studio.review.views.export import selection_from
from studio.teams.access import login_or_token

NO_VIDEO = "None of these takes has a video yet."
UNREADABLE = "The video of one of these takes is missing or unreadable."

log = logging.getLogger("studio.review")


def _attachment[R: HttpResponseBase](response: R, filename: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Private to the team: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _media_url(request: HttpRequest) -> Callable[[Output], str]:
    return lambda output: request.build_absolute_uri(
        reverse("generations:media", args=[output.file.name])
    )


@login_or_token
@require_GET
def generation_markers(request: HttpRequest, generation_id: uuid.UUID, fmt: str) -> HttpResponse:
    """``markers.csv``, ``.edl``, ``.otio`` or ``.xml`` of one generation."""
    if fmt != "csv" and fmt not in markers.FORMATS:
        raise Http404("No such format")
    generation, _membership = get_generation_for(request, generation_id)
    found = markers.markers_of(generation)
    filename = f"{generation.id}-markers.{fmt}"
    if fmt == "csv":
        return _attachment(
            HttpResponse(markers.csv_text(found), content_type="text/csv; charset=utf-8"),
            filename,
        )
    clip = markers.clip_of(generation, found, _media_url(request))
    timeline = markers.timeline_of(generation.prompt or str(generation.id), [clip])
    _adapter, content_type = markers.FORMATS[fmt]
    return _attachment(
        HttpResponse(markers.write(timeline, fmt), content_type=content_type), filename
    )


def _generations(ids: list[uuid.UUID]) -> list[Generation]:
    """The generations of a checked selection, in its order."""
    found = {g.id: g for g in Generation.objects.filter(id__in=ids).prefetch_related("outputs")}
    return [found[i] for i in ids if i in found]


@login_or_token
@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """One OTIO timeline: the clips end to end, each with its markers."""
    try:
        selection = selection_from(request)
    except export.ExportError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    url = _media_url(request)
    clips = [markers.clip_of(g, markers.markers_of(g), url) for g in _generations(selection.ids)]
    body = markers.write(markers.timeline_of(selection.name, clips), "otio")
    return _attachment(
        HttpResponse(body, content_type="application/json"), f"{selection.name}.otio"
    )


@login_or_token
@require_GET
def animatic_mp4(request: HttpRequest) -> HttpResponseBase:
    """The clips in order as one MP4, letterboxed to the first clip's size.

    Built here, within the request: the caps on clips and frames keep it to seconds, and a
    person who asks for a cut to share wants the file now, not a job to come back for. The
    temporary file has no name on disk and disappears when the response closes it.
    """
    try:
        selection = selection_from(request)
    except export.ExportError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    if len(selection.ids) > animatic.MAX_CLIPS:
        return HttpResponseBadRequest(
            f"An animatic holds at most {animatic.MAX_CLIPS} clips; choose fewer.",
            content_type="text/plain; charset=utf-8",
        )
    sources: list[tuple[animatic.Source, int, int]] = []
    frames = 0
    for generation in _generations(selection.ids):
        output = markers.playable_output(generation)
        if output is None or not output.file.name or not output.width or not output.height:
            continue  # not finished (or failed): the cut plays the takes that exist
        frames += markers.clip_frames(generation, output)
        opener = functools.partial(output.file.storage.open, output.file.name, "rb")
        sources.append((opener, output.width, output.height))
    if not sources:
        return HttpResponse(NO_VIDEO, status=409, content_type="text/plain; charset=utf-8")
    if frames > animatic.MAX_FRAMES:
        return HttpResponseBadRequest(
            f"An animatic lasts at most {animatic.MAX_FRAMES // FPS} s; choose fewer clips.",
            content_type="text/plain; charset=utf-8",
        )
    # Closed by the response once sent (or below on failure), not by a `with`.
    handle = tempfile.TemporaryFile(suffix=".mp4")  # noqa: SIM115
    try:
        animatic.render(sources, handle)
    except (OSError, av.FFmpegError) as exc:
        # A stored file gone (a purged clip) or damaged: say so rather than fail.
        handle.close()
        log.warning("animatic: a clip could not be read: %s", exc)
        return HttpResponse(UNREADABLE, status=409, content_type="text/plain; charset=utf-8")
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return _attachment(
        FileResponse(handle, content_type="video/mp4"), f"{selection.name}-animatic.mp4"
    )
