"""The JSON a live progress bar polls: one generation, or a batch for gallery cards."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studio.contract.parsing import parse_uuid
from studio.generations.access import get_generation_for
from studio.generations.models import Generation, Output
from studio.generations.progress import ExpectedTimes, media_url, progress_of, shape_of
from studio.http import AuthedRequest

MAX_IDS = 200


def outputs_of(generations: list[Generation]) -> dict[Any, dict[str, Any]]:
    """Kept files per generation (one query): URLs, plus the strip's tile layout."""
    found: dict[Any, dict[str, Any]] = {g.id: {} for g in generations}
    rows = Output.objects.filter(generation__in=[g.id for g in generations]).values(
        "generation_id", "kind", "file", "meta"
    )
    for row in rows:
        entry: dict[str, Any] = {"url": media_url(row["file"])}
        if row["kind"] == Output.Kind.THUMBS:
            entry["layout"] = row["meta"]
        found[row["generation_id"]][row["kind"]] = entry
    return found


def payload(generation: Generation, times: ExpectedTimes, files: dict[str, Any]) -> dict:
    poster = files.get(Output.Kind.POSTER, {}).get("url", "")
    data = progress_of(generation, times, poster_url=poster)
    data["outputs"] = files if generation.outputs_ready else {}
    return data


@never_cache
@require_GET
@login_required
def status(request: AuthedRequest, generation_id: uuid.UUID) -> JsonResponse:
    generation, _ = get_generation_for(request, generation_id)
    times = ExpectedTimes.load([shape_of(generation)])
    files = outputs_of([generation])[generation.id]
    return JsonResponse(payload(generation, times, files))


@never_cache
@require_GET
@login_required
def statuses(request: AuthedRequest) -> JsonResponse:
    """``?ids=<uuid>,<uuid>…`` (or repeated ``ids``): the ones of the person's teams.

    Ids of other teams are left out exactly like unknown ones.
    """
    raw = [part for value in request.GET.getlist("ids") for part in value.split(",") if part]
    if len(raw) > MAX_IDS:
        return JsonResponse({"detail": f"ids: at most {MAX_IDS} at a time"}, status=400)
    ids = []
    for value in raw:
        ident = parse_uuid(value.strip())
        if ident is None:
            return JsonResponse(
                {"detail": f"ids: {value[:40]!r} is not a generation id"}, status=400
            )
        ids.append(ident)
    generations = list(
        Generation.objects.filter(id__in=ids, team__memberships__user=request.user)
        .select_related("team", "governor")
        .distinct()
    )
    times = ExpectedTimes.load()
    files = outputs_of(generations)
    return JsonResponse(
        {"generations": {str(g.id): payload(g, times, files[g.id]) for g in generations}}
    )
