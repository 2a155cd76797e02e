"""A test-only URLconf: tiny views behind `api_view`, to test the decorator end to end."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path

from studio.api.http import ApiError, api_view, json_body
from studio.teams.access import require_membership
from studio.teams.models import Membership


@api_view(["GET", "POST"])
def whoami(request: HttpRequest, membership: Membership) -> JsonResponse:
    return JsonResponse(
        {"user": request.user.email, "team": membership.team.name, "role": membership.role}
    )


@api_view(["POST"], action="compose")
def echo(request: HttpRequest, membership: Membership) -> JsonResponse:
    return JsonResponse({"got": json_body(request)}, status=201)


@api_view(["GET"])
def missing(request: HttpRequest, membership: Membership, thing: str) -> JsonResponse:
    raise Http404(f"No such {thing}")


@api_view(["GET"])
def conflict(request: HttpRequest, membership: Membership) -> JsonResponse:
    raise ApiError(409, "Already done", hint="Try another")


@api_view(["GET"])
def manage_only(request: HttpRequest, membership: Membership) -> JsonResponse:
    # The pages' helper, scoped to the token's team by the decorator.
    scoped = require_membership(request, "manage")
    return JsonResponse({"team": scoped.team.name})


@api_view(["GET"])
def refuses(request: HttpRequest, membership: Membership) -> JsonResponse:
    raise PermissionDenied


@api_view(["GET"])
def breaks(request: HttpRequest, membership: Membership) -> Any:
    raise RuntimeError("boom")


urlpatterns = [
    path("t/whoami/", whoami),
    path("t/echo/", echo),
    path("t/missing/<str:thing>/", missing),
    path("t/conflict/", conflict),
    path("t/manage/", manage_only),
    path("t/refuses/", refuses),
    path("t/breaks/", breaks),
]
