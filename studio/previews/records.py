"""A preview as JSON, its one access rule, and its video: shared by the JSON API's views
and the composer's."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from studio.generations.views import stored_file_response
from studio.previews.models import Preview
from studio.teams.models import Membership

# Wherever a preview shows, it says what it is.
LABEL = "local preview"


def record_of(preview: Preview, video_url: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(preview.id),
        "state": preview.state,
        "label": LABEL,
        "created_at": preview.created_at.isoformat(),
        "expires_at": preview.expires_at.isoformat(),
    }
    if preview.state == Preview.State.READY:
        out["url"] = video_url
    if preview.state == Preview.State.FAILED:
        out["failure_reason"] = preview.failure_reason
    return out


def get_preview_for(membership: Membership, preview_id: uuid.UUID) -> Preview:
    """The person's own preview in the membership's team, or a 404 (teammates too)."""
    found = Preview.objects.filter(
        id=preview_id, owner_id=membership.user_id, team_id=membership.team_id
    ).first()
    if found is None:
        raise Http404("No such preview")
    return found


def video_response(request: HttpRequest, preview: Preview) -> HttpResponseBase:
    if preview.state != Preview.State.READY:
        raise Http404("The preview is not ready")
    return stored_file_response(
        request, preview.media_name, download_name=f"preview-{preview.id}.mp4"
    )
