"""Importing a generation made elsewhere (another script, the API's own console) by its id.

The generation API has no list endpoint: an id is the only handle on a generation. Given
one, the studio asks the team's API for it (with the team's key, so only what that key
may see can be imported), records it, and the poller fetches its outputs.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from studio.api.http import ApiError, api_view, json_body
from studio.api.records import GENERATION_NOT_FOUND, generations_of, record_of
from studio.client import ApiError as ClientError
from studio.client import Client
from studio.generations import lifecycle
from studio.generations.models import Generation
from studio.generations.routing import route_for_team
from studio.teams.models import Membership

NO_API = "No generation API is configured for this studio."


def _remote_id(value: object) -> uuid.UUID:
    try:
        if isinstance(value, str):
            return uuid.UUID(value)
    except ValueError:
        pass
    raise ApiError(400, "remote_id: must be the generation API's id of a generation (a UUID)")


def _same_id(value: object, remote_id: uuid.UUID) -> bool:
    try:
        return uuid.UUID(str(value)) == remote_id
    except ValueError:
        return False


@api_view(["POST"], action="compose")
def imports(request: HttpRequest, membership: Membership) -> JsonResponse:
    """201 with the new record; 200 with the same record when it is already here."""
    data = json_body(request)
    unknown = [k for k in data if k != "remote_id"]
    if unknown:
        raise ApiError(400, f"{unknown[0]}: unknown field; expected remote_id")
    remote_id = _remote_id(data.get("remote_id"))
    existing = Generation.objects.filter(remote_id=remote_id).first()
    if existing is not None:
        if existing.team_id != membership.team_id:
            # Another team's record: the same answer as an id nobody knows.
            raise ApiError(404, GENERATION_NOT_FOUND)
        return JsonResponse(record_of(request, generations_of(membership).get(pk=existing.pk)))
    route = route_for_team(membership.team)
    if route is None:
        raise ApiError(503, NO_API)
    try:
        with Client(
            route.base_url, route.key, timeout=settings.LUMA_TIMEOUT, max_retries=1
        ) as client:
            answer = client.get_generation(str(remote_id))
    except ClientError as exc:
        if exc.status == 404:
            raise ApiError(404, exc.detail) from None
        if exc.status is None:
            raise ApiError(
                502, f"The generation API could not be reached ({exc.detail})."
            ) from None
        raise ApiError(502, f"The generation API answered {exc.status}: {exc.detail}") from None
    if not _same_id(answer.get("id"), remote_id):
        raise ApiError(502, "The generation API answered with another generation.")
    generation, created = lifecycle.record_import(membership, answer, route.base_url, route.source)
    if generation.team_id != membership.team_id:
        # Imported by another team in the moment since the check above.
        raise ApiError(404, GENERATION_NOT_FOUND)
    generation = generations_of(membership).get(pk=generation.pk)
    return JsonResponse(record_of(request, generation), status=201 if created else 200)
