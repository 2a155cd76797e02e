"""Bearer tokens on the pages that take them as well as a sign-in (an export)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from studio.api.http import bearer_token, missing_token
from studio.api.tokens import membership_for_token
from studio.teams.access import act_through_token


class PageTokens:
    """Judge a request to a page marked by `studio.teams.access.login_or_token` that
    carries an `Authorization` header by its token alone, as `api_view` does: a valid
    token makes the request act as its person in its team, anything else is a 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not getattr(view_func, "accepts_token", False):
            return None
        if "Authorization" not in request.headers:
            return None
        membership = membership_for_token(bearer_token(request))
        if membership is None:
            response = missing_token()
            patch_vary_headers(response, ["Authorization"])
            return response
        act_through_token(request, membership)
        return None
