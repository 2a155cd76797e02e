from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join

from studio.generations.models import Asset, Output
from studio.ranged import ranged_file_response


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
    return stored_file_response(request, name)


def stored_file_response(
    request: HttpRequest, name: str, *, download_name: str | None = None
) -> HttpResponse:
    """A stored file's bytes, byte ranges honoured, for a caller that checked access.

    Without ranges a browser cannot seek (or step frames) in a video.
    """
    try:
        handle = open(safe_join(settings.MEDIA_ROOT, name), "rb")  # noqa: SIM115 - the response closes it
    except (OSError, ValueError):
        raise Http404("No such file") from None
    return ranged_file_response(request, handle, name, download_name=download_name)
