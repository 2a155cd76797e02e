from __future__ import annotations

from django.http import HttpRequest

from studio.teams.access import current_membership


def current_team(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's current team and their teams, for the header's switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "membership": membership,
        "team": membership.team if membership else None,
        "my_memberships": user.memberships.select_related("team").order_by("team__name"),
    }
