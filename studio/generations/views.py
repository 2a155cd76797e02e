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
    try:
        path = safe_join(settings.MEDIA_ROOT, name)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError):
        raise Http404("No such file") from None
    # Byte ranges: without them a browser cannot seek (or step frames) in a video.
    return ranged_file_response(request, handle, name)
