from __future__ import annotations

import mimetypes
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils._os import safe_join

from studio.generations.access import get_generation_for
from studio.generations.models import Asset, Output


@login_required
def detail(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, membership = get_generation_for(request, generation_id)
    return render(
        request,
        "generations/detail.html",
        {"generation": generation, "membership": membership, "events": generation.events.all()},
    )


@login_required
def media_file(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a stored file to members of the team it belongs to (never a public folder)."""
    user_teams = Q(team__memberships__user=request.user)
    allowed = (
        Output.objects.filter(file=name, generation__team__memberships__user=request.user).exists()
        or Asset.objects.filter(user_teams, file=name).exists()
    )
    if not allowed:
        raise Http404("No such file")
    try:
        path = safe_join(settings.MEDIA_ROOT, name)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError):
        raise Http404("No such file") from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)
