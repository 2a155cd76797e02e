"""Importing a generation made elsewhere (the SDK, the CLI, another studio) by its id.

The generation API has no list endpoint: an id is the only handle on a generation. Given
one, the studio asks the team's API for it with the team's key (so only what that key
may see can be imported), records it, and the poller fetches its outputs. The page and
the studio's API both import through ``import_generation``.
"""

from __future__ import annotations

import uuid

from django.conf import settings

from studio import outbound
from studio.client import ApiError, Client
from studio.contract.errors import GENERATION_NOT_FOUND
from studio.contract.parsing import parse_uuid
from studio.generations import lifecycle
from studio.generations.models import Generation
from studio.generations.routing import route_for_team
from studio.teams.models import Membership

NO_API = "No generation API is configured for this studio."


class ImportRefused(Exception):
    """Nothing was imported; ``status`` and ``detail`` say why (the API's words on a 404)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def parse_remote_id(value: object) -> uuid.UUID:
    parsed = parse_uuid(value.strip()) if isinstance(value, str) else None
    if parsed is not None:
        return parsed
    raise ImportRefused(400, "remote_id: must be the generation API's id of a generation (a UUID)")


def import_generation(membership: Membership, remote_id: uuid.UUID) -> tuple[Generation, bool]:
    """The studio's record of ``remote_id`` (created, or the one already here)."""
    existing = Generation.objects.filter(remote_id=remote_id).first()
    if existing is not None:
        if existing.team_id != membership.team_id:
            # Another team's record: the same answer as an id nobody knows.
            raise ImportRefused(404, GENERATION_NOT_FOUND)
        return existing, False
    route = route_for_team(membership.team)
    if route is None:
        raise ImportRefused(503, NO_API)
    try:
        with Client(
            route.base_url,
            route.key,
            timeout=settings.LUMA_TIMEOUT,
            max_retries=1,
            transport=outbound.transport(),
        ) as client:
            answer = client.get_generation(str(remote_id))
    except ApiError as exc:
        if exc.status == 404:
            raise ImportRefused(404, exc.detail) from None
        if exc.status is None:
            raise ImportRefused(
                502, f"The generation API could not be reached ({exc.detail})."
            ) from None
        raise ImportRefused(
            502, f"The generation API answered {exc.status}: {exc.detail}"
        ) from None
    if str(answer.get("id") or "") != str(remote_id):
        raise ImportRefused(502, "The generation API answered with another generation.")
    generation, created = lifecycle.record_import(membership, answer, route.base_url, route.source)
    if generation.team_id != membership.team_id:
        # Imported by another team in the moment since the check above.
        raise ImportRefused(404, GENERATION_NOT_FOUND)
    return generation, created
