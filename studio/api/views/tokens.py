"""The account page for personal access tokens: list, create (shown once), revoke."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from studio.api.forms import TokenForm
from studio.api.models import ApiToken
from studio.api.tokens import issue, revoke
from studio.http import AuthedRequest
from studio.teams.access import current_membership
from studio.teams.models import Membership


@dataclass(frozen=True)
class TokenRow:
    """A token on the page, with the person's membership in its team (None: they left)."""

    token: ApiToken
    membership: Membership | None


def _get_own_token(request: AuthedRequest, token_id: int) -> ApiToken:
    """The signed-in person's token; anyone else's is a 404, the same as a missing one."""
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    return token


@login_required
@never_cache  # the page right after creating a token holds it in plain text
@require_http_methods(["GET", "POST"])
def tokens_page(request: AuthedRequest) -> HttpResponse:
    new_token = ""
    membership = current_membership(request)
    initial = {"team": membership.team_id} if membership else {}
    if request.method == "POST":
        form = TokenForm(request.user, request.POST, initial=initial)
        if form.is_valid():
            _token, new_token = issue(
                request.user, form.cleaned_data["team"], form.cleaned_data["name"]
            )
            # Rendered, not redirected: the plain token lives in this one response only.
            form = TokenForm(request.user, initial=initial)
    else:
        form = TokenForm(request.user, initial=initial)
    roles = {m.team_id: m for m in request.user.memberships.all()}
    tokens = [
        TokenRow(token, roles.get(token.team_id))
        for token in ApiToken.objects.filter(user=request.user)
        .select_related("team")
        .order_by("-created_at")
    ]
    context = {
        "form": form,
        "tokens": tokens,
        "new_token": new_token,
        "has_teams": bool(roles),
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = _get_own_token(request, token_id)
    if revoke(token):
        messages.success(request, f"The token “{token.name}” ({token.prefix}…) no longer works.")
    return redirect("api:tokens")
