"""Previews over the JSON API: the local engine's free draft of a Ray 3.2 request.

Started like the composer's Preview button (studio.previews.service.start); a preview is
its owner's alone, so anyone else's token, a teammate's too, gets a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse

from studio.api.http import REQUEST_NOT_OBJECT, ApiError, api_view, json_body
from studio.previews.models import Preview
from studio.previews.records import get_preview_for, record_of, video_response
from studio.previews.service import PreviewRefused, start
from studio.teams.models import Membership


def _record(request: HttpRequest, preview: Preview) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("api:preview_video", args=[preview.id]))
    return record_of(preview, url)


@api_view(["POST"], action="compose")
def previews(request: HttpRequest, membership: Membership) -> JsonResponse:
    """202: queued; follow it at GET /api/v1/previews/{id}."""
    data = json_body(request, ["request"])
    if not isinstance(data.get("request"), dict):
        raise ApiError(400, REQUEST_NOT_OBJECT)
    try:
        preview = start(membership, data["request"])
    except PreviewRefused as refused:
        raise ApiError(refused.status, refused.detail) from None
    return JsonResponse(_record(request, preview), status=202)


@api_view(["GET"])
def preview(request: HttpRequest, membership: Membership, preview_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(_record(request, get_preview_for(membership, preview_id)))


@api_view(["GET"])
def preview_video(
    request: HttpRequest, membership: Membership, preview_id: uuid.UUID
) -> HttpResponseBase:
    """The MP4 once ready (one byte range honoured)."""
    return video_response(request, get_preview_for(membership, preview_id))
