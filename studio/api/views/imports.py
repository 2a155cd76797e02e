"""Importing a generation made elsewhere by its id (see ``studio.generations.imports``)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from studio.api.http import ApiError, api_view, json_body
from studio.api.records import generations_of, record_of
from studio.generations.imports import ImportRefused, import_generation, parse_remote_id
from studio.teams.models import Membership


@api_view(["POST"], action="compose")
def imports(request: HttpRequest, membership: Membership) -> JsonResponse:
    """201 with the new record; 200 with the same record when it is already here."""
    data = json_body(request, ["remote_id"])
    try:
        generation, created = import_generation(membership, parse_remote_id(data.get("remote_id")))
    except ImportRefused as exc:
        raise ApiError(exc.status, exc.detail) from None
    generation = generations_of(membership).get(pk=generation.pk)
    return JsonResponse(record_of(request, generation), status=201 if created else 200)
