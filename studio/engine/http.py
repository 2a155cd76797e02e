"""Plumbing shared by every /v1/ view: headers, JSON errors, body parsing."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from studio.contract import API_VERSION, ContractError, parsing

from . import errors as x
from .errors import ApiFailure

log = logging.getLogger("studio.engine")

# A base64 video source of 200 MB is ~267 MB of JSON; anything bigger is refused unread.
MAX_JSON_BODY = 300 * 1024 * 1024

View = Callable[..., HttpResponseBase]


def request_id_of(request: HttpRequest) -> str:
    sent = request.headers.get("X-Request-Id", "").strip()
    # Echo what the client sent (bounded, printable) so both sides can correlate logs.
    if sent and len(sent) <= 200 and sent.isprintable():
        return sent
    return str(uuid.uuid4())


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def api_view(*methods: str) -> Callable[[View], View]:
    """Wrap a view of the API: allowed methods, CSRF off (key auth), the two headers
    on every answer, and every failure as ``{"detail": ...}`` (never an HTML page)."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request_id = request_id_of(request)
            request.engine_request_id = request_id  # type: ignore[attr-defined]
            try:
                if request.method not in methods:
                    raise ApiFailure(405, x.METHOD_NOT_ALLOWED, {"Allow": ", ".join(methods)})
                response = view(request, *args, **kwargs)
            except ApiFailure as failure:
                response = error_response(failure.status, failure.detail, failure.headers)
            except ContractError as failure:
                response = error_response(failure.status, failure.detail)
            except Exception:
                log.exception(
                    "engine: unexpected error in %s (request %s)", request.path, request_id
                )
                response = error_response(500, "Internal server error")
            response["X-Request-Id"] = request_id
            response["X-API-Version"] = API_VERSION
            return response

        return wrapper

    return decorate


def read_json(request: HttpRequest) -> Any:
    """The parsed JSON body, read straight from the stream so the size cap is ours
    (Django's in-memory cap is meant for forms, not for base64 media)."""
    return parsing.read_json(
        request, request.headers.get("Content-Length"), max_bytes=MAX_JSON_BODY
    )
