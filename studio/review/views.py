from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studio.teams.access import current_membership


@login_required
def gallery(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    generations = membership.team.generations.all()[:60] if membership else []
    return render(request, "review/gallery.html", {"generations": generations})
