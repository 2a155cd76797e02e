"""The one-line access helpers: an object the person may act on, or Http404."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from studio.contract.parsing import parse_uuid
from studio.generations.models import Generation
from studio.teams.access import token_membership
from studio.teams.models import Membership


def get_generation_for(
    request: HttpRequest, generation_id: uuid.UUID | str, action: str = "view"
) -> tuple[Generation, Membership]:
    """The generation and the person's membership in its team, if that role allows `action`.

    A generation of a team the person is not in is a 404, the same answer as a missing one,
    and so is an id that is not a UUID (query strings and forms pass them in unchecked).
    """
    ident = parse_uuid(generation_id)
    user = request.user
    if ident is None or not user.is_authenticated:
        raise Http404("No such generation")
    found = Generation.objects.select_related("team", "author", "parent", "governor").filter(
        id=ident, team__memberships__user=user
    )
    token = token_membership(request)
    if token is not None:
        # A token acts in its own team, not in every team of its person.
        found = found.filter(team_id=token.team_id)
    generation = found.first()
    if generation is None:
        raise Http404("No such generation")
    membership = Membership.objects.get(team=generation.team, user=user)
    if not membership.can(action):
        raise Http404("No such generation")
    return generation, membership
