"""The composer's Preview button (a session): start a preview of the current form,
follow it, play it. The JSON API's twin is studio.api.views.previews."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from studio.composer.forms import ComposeForm
from studio.composer.sources import team_sources
from studio.previews.models import Preview
from studio.previews.records import get_preview_for, record_of, video_response
from studio.previews.service import PreviewRefused, start
from studio.teams.access import require_membership


def _record(preview: Preview) -> dict[str, Any]:
    record = record_of(preview, reverse("previews:video", args=[preview.id]))
    record["status_url"] = reverse("previews:state", args=[preview.id])
    return record


@login_required
@require_POST
def preview(request: HttpRequest) -> JsonResponse:
    """The composer's current form, previewed: 202 with the record to follow."""
    membership = require_membership(request, "compose")
    sources = team_sources(membership.team)
    form = ComposeForm(request.POST, request.FILES, membership=membership, sources=sources)
    if not form.is_valid() or form.body is None:
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        first = next((m[0] for m in errors.values() if m), "The composition is not valid.")
        return JsonResponse({"detail": first, "errors": errors}, status=400)
    try:
        found = start(membership, form.body)
    except PreviewRefused as refused:
        return JsonResponse({"detail": refused.detail}, status=refused.status)
    return JsonResponse(_record(found), status=202)


@login_required
@require_GET
def state(request: HttpRequest, preview_id: uuid.UUID) -> JsonResponse:
    membership = require_membership(request)
    return JsonResponse(_record(get_preview_for(membership, preview_id)))


@login_required
@require_GET
def video(request: HttpRequest, preview_id: uuid.UUID) -> HttpResponseBase:
    membership = require_membership(request)
    return video_response(request, get_preview_for(membership, preview_id))
