"""Plumbing for the studio's JSON API views: bearer tokens, roles, JSON errors.

Every answer of a view wrapped in `api_view` is JSON, errors included, as
`{"detail": "..."}` (never an HTML error page).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from studio.api.tokens import membership_for_token
from studio.contract import ContractError
from studio.contract.parsing import read_json
from studio.teams.access import act_through_token
from studio.teams.models import Membership

log = logging.getLogger("studio.api")

MISSING_TOKEN = "Missing or invalid token"
METHOD_NOT_ALLOWED = "Method not allowed"
NOT_FOUND = "Not found"
BODY_NOT_OBJECT = "The body must be a JSON object"
BODY_TOO_LARGE = "The body is too large"
REQUEST_NOT_OBJECT = "request: must be a Ray 3.2 request body (an object)"
SERVER_ERROR = "Internal server error"

View = Callable[..., HttpResponseBase]


class ApiError(Exception):
    """Raised inside an API view to answer `problem(status, detail, **extra)`."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def role_refusal(membership: Membership) -> str:
    # The same words as the pages' `require_membership`.
    return f"Your role ({membership.get_role_display()}) cannot do this."


def bearer_token(request: HttpRequest) -> str:
    """The token of an `Authorization: Bearer <token>` header, or ""."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def json_body(request: HttpRequest, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """The request's body as a JSON object (with no keys but ``fields``, when given);
    anything else is a 400 (through `api_view`)."""
    try:
        data = read_json(
            request,
            request.headers.get("Content-Length"),
            max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )
    except ContractError as error:
        if error.status == 413:
            raise ApiError(413, BODY_TOO_LARGE) from None
        # A value the parser names (text that is not storable) keeps its field path; a
        # body that is not JSON at all, or absurdly nested, gets the API's own words.
        raise ApiError(400, error.detail if error.path else BODY_NOT_OBJECT) from None
    if not isinstance(data, dict):
        raise ApiError(400, BODY_NOT_OBJECT)
    if fields is not None:
        unknown = [k for k in data if k not in fields]
        if unknown:
            raise ApiError(400, f"{unknown[0]}: unknown field; expected {', '.join(fields)}")
    return data


def missing_token() -> JsonResponse:
    response = problem(401, MISSING_TOKEN)
    response["WWW-Authenticate"] = "Bearer"
    return response


def api_view(methods: list[str], action: str = "view") -> Callable[[View], View]:
    """Wrap a function view of the API: a bearer token, an allowed method, a role that may
    do `action`; then `view(request, membership, *args, **kwargs)`.

    Checks run in that order, so nothing about a URL is told to a caller without a valid
    token. The token's person becomes `request.user`, and its team the request's current
    team, so the pages' access helpers scope an API request to the token's team.
    """
    allowed = [m.upper() for m in methods]

    def decorate(view: View) -> View:
        @csrf_exempt  # a bearer token is not sent by a browser on its own: no CSRF risk
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = _answer(view, allowed, action, request, *args, **kwargs)
            patch_vary_headers(response, ["Authorization"])
            return response

        return wrapper

    return decorate


def _answer(
    view: View, allowed: list[str], action: str, request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponseBase:
    membership = membership_for_token(bearer_token(request))
    if membership is None:
        return missing_token()
    if request.method not in allowed:
        response = problem(405, METHOD_NOT_ALLOWED)
        response["Allow"] = ", ".join(allowed)
        return response
    if not membership.can(action):
        return problem(403, role_refusal(membership))
    act_through_token(request, membership)
    try:
        return view(request, membership, *args, **kwargs)
    except ApiError as error:
        return problem(error.status, error.detail, **error.extra)
    except Http404:
        return problem(404, NOT_FOUND)
    except PermissionDenied as error:
        return problem(403, str(error) or role_refusal(membership))
    except RequestDataTooBig:
        return problem(413, BODY_TOO_LARGE)
    except Exception:
        log.exception("api: unexpected error in %s %s", request.method, request.path)
        return problem(500, SERVER_ERROR)
