"""What the JSON API says about a generation, and the one access helper its views use.

A record is the studio's row, not the generation API's answer: the studio's own states
(``waiting`` … ``completed``), its price, and links to the outputs it keeps, served by
the studio (``/api/v1/generations/{id}/outputs/{type}``) with the same token.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from studio.api.http import ApiError
from studio.contract.errors import GENERATION_NOT_FOUND
from studio.generations.models import Generation, Output
from studio.generations.progress import waiting_reason
from studio.teams.models import Membership
from studio.timestamps import wire_time

# The order outputs are listed in (the kinds of ``Output``).
OUTPUT_ORDER = [kind.value for kind in Output.Kind]


def generations_of(membership: Membership) -> QuerySet[Generation]:
    """The token's team's generations, with what a record reads in the same queries."""
    return (
        Generation.objects.filter(team_id=membership.team_id)
        .select_related("team", "governor")
        .prefetch_related("outputs")
    )


def get_generation_in(membership: Membership, generation_id: uuid.UUID | str) -> Generation:
    """A generation of the token's team; any other id (another team's too) is a 404.

    A token acts in one team only, so this is narrower than the pages' helper, which
    finds a generation in any of the person's teams.
    """
    generation = generations_of(membership).filter(id=generation_id).first()
    if generation is None:
        raise ApiError(404, GENERATION_NOT_FOUND)
    return generation


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def output_url(request: HttpRequest, generation: Generation, kind: str) -> str:
    return request.build_absolute_uri(reverse("api:generation_output", args=[generation.id, kind]))


def record_of(request: HttpRequest, generation: Generation) -> dict[str, Any]:
    """The API's record of one generation (every key always present)."""
    # A purged generation keeps its record (a tombstone) but no longer has any output.
    outputs = (
        []
        if generation.purged_at is not None
        else sorted(generation.outputs.all(), key=lambda o: OUTPUT_ORDER.index(o.kind))
    )
    return {
        "id": str(generation.id),
        "remote_id": _id(generation.remote_id),
        "state": generation.state,
        "waiting_reason": waiting_reason(generation),
        "batch": _id(generation.batch_id),
        "take_index": generation.take_index,
        "parent": _id(generation.parent_id),
        "action": generation.action,
        "request": generation.request,
        "price": f"{generation.price:.2f}",
        "price_estimated": generation.price_estimated,
        "created_at": wire_time(generation.created_at),
        "submitted_at": wire_time(generation.submitted_at),
        "finished_at": wire_time(generation.finished_at),
        "failure_code": generation.failure_code or None,
        "failure_reason": generation.failure_reason or None,
        "trashed_at": wire_time(generation.trashed_at),
        "purged_at": wire_time(generation.purged_at),
        "outputs": [
            {
                "type": output.kind,
                "url": output_url(request, generation, output.kind),
                "bytes": output.size_bytes,
                "sha256": output.sha256 or None,
            }
            for output in outputs
        ],
    }
