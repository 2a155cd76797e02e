from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from studio.teams.access import SESSION_KEY
from studio.teams.models import Membership


@login_required
@require_POST
def switch_team(request: HttpRequest) -> HttpResponse:
    try:
        team_id = int(request.POST.get("team", ""))
    except ValueError:
        raise Http404("No such team") from None
    if not Membership.objects.filter(user=request.user, team_id=team_id).exists():
        raise Http404("No such team")
    request.session[SESSION_KEY] = team_id
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)
