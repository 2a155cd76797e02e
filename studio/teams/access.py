"""Team scoping: the one place that turns a request into the team it acts on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from studio.teams.models import Membership

SESSION_KEY = "studio_team_id"


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the team chosen in the session, else the person's first team."""
    cached = getattr(request, "_studio_membership", None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("team").filter(user=user)
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


def login_or_token(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page that scripts may fetch too (an export): a bearer token, or else the usual
    sign-in.

    A request carrying an `Authorization` header is judged by its token alone, before the
    view runs, by the API's middleware (`studio.api.middleware.PageTokens`: a bad token is
    a 401, never a redirect to the sign-in page); without one, `login_required` applies.
    """
    signed_in = login_required(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if "Authorization" in request.headers and token_membership(request) is None:
            # Never fall back to the session when a token was sent but not checked.
            raise PermissionDenied("This page's tokens are not checked here.")
        response = signed_in(request, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        return response

    wrapper.accepts_token = True  # type: ignore[attr-defined]
    return wrapper


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
