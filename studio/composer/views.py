from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studio.teams.access import require_membership


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    require_membership(request, "compose")
    return render(request, "composer/compose.html", {})
