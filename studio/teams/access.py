"""Team scoping: the one place that turns a request into the team it acts on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from studio.teams.models import Membership

SESSION_KEY = "studio_team_id"


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the team chosen in the session, else the person's first team."""
    cached = getattr(request, "_studio_membership", None)
    if cached is not None:
        return cached
    memberships = Membership.objects.select_related("team").filter(user=request.user)
    team_id = request.session.get(SESSION_KEY)
    membership = None
    if team_id is not None:
        membership = memberships.filter(team_id=team_id).first()
    if membership is None:
        membership = memberships.order_by("created_at", "id").first()
    request._studio_membership = membership  # type: ignore[attr-defined]
    return membership


def act_through_token(request: HttpRequest, membership: Membership) -> None:
    """Make a request that came with an API token act as the token's person, in the
    token's team only (pages' helpers then scope it as they scope a session)."""
    request.user = membership.user
    request._studio_membership = membership  # type: ignore[attr-defined]
    request._studio_token = membership  # type: ignore[attr-defined]


def token_membership(request: HttpRequest) -> Membership | None:
    """The membership a request acts as through its API token; None for a session."""
    return getattr(request, "_studio_token", None)


def require_membership(request: HttpRequest, action: str = "view") -> Membership:
    """The current membership if it allows `action`.

    Someone in no team gets a 404 (no hint that anything exists); a member whose role
    does not allow the action gets a 403.
    """
    membership = current_membership(request)
    if membership is None:
        raise Http404("No such page")
    if not membership.can(action):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this.")
    return membership
