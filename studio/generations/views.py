from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from studio import mediastore
from studio.generations.models import Asset, Output
from studio.http import AuthedRequest


@login_required
def media_file(request: AuthedRequest, name: str) -> HttpResponseBase:
    """Serve a stored file to members of the team it belongs to (never a public folder)."""
    user_teams = Q(team__memberships__user=request.user)
    allowed = (
        Output.objects.filter(file=name, generation__team__memberships__user=request.user).exists()
        or Asset.objects.filter(user_teams, file=name).exists()
    )
    if not allowed:
        raise Http404("No such file")
    return stored_file_response(request, name)


def stored_file_response(
    request: HttpRequest, name: str, *, download_name: str | None = None
) -> HttpResponseBase:
    """A stored file for a caller that checked access (byte ranges, or a presigned link).

    Without ranges a browser cannot seek (or step frames) in a video.
    """
    return mediastore.serve(request, name, download_name=download_name)
