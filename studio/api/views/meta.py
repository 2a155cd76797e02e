"""The API's own document, and its answer for paths it does not have."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from studio.api.http import METHOD_NOT_ALLOWED, NOT_FOUND, problem
from studio.api.openapi import document


@csrf_exempt
def openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI document, for anyone: it tells nothing about a team."""
    if request.method not in ("GET", "HEAD"):
        response = problem(405, METHOD_NOT_ALLOWED)
        response["Allow"] = "GET, HEAD"
        return response
    return JsonResponse(document(request.build_absolute_uri("/").rstrip("/")))


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /api/v1/: JSON, never the pages' HTML 404 (no token needed:
    a path the API does not have tells nothing)."""
    return problem(404, NOT_FOUND)
