"""Text no request may carry, refused at the door for every route at once.

A control character never belongs in a URL (a line break there forges headers and log
lines; a NUL is refused by PostgreSQL, which a lookup by a path segment would meet as a
500), and a NUL never belongs in a form field (PostgreSQL cannot store it). JSON bodies
are judged by the contract's parser instead (``studio.contract.parsing``), which names
the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError

from studio.contract.parsing import has_control

URL_REFUSED = "The address holds a control character."
FORM_REFUSED = "A form field holds a NUL character."
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(request: HttpRequest, detail: str) -> HttpResponse:
    # Scripts and the APIs read {"detail": ...}, as every other error they get; a browser
    # gets a page.
    if "text/html" in request.headers.get("Accept", ""):
        return HttpResponseBadRequest(f"<!doctype html><title>Bad request</title><p>{detail}")
    return JsonResponse({"detail": detail}, status=400)


class RefuseUnstorableText:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = (text for key, values in request.GET.lists() for text in (key, *values))
        if has_control(request.path_info) or any(has_control(text) for text in query):
            return _refuse(request, URL_REFUSED)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # After the CSRF check, which reads the same form: the body is parsed once either way.
        if request.method != "POST" or request.content_type not in FORMS:
            return None
        try:
            fields = request.POST  # uploads' names come without NULs: Django drops them
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            return None  # the view meets the same error and answers it as it always has
        if any("\x00" in text for key, values in fields.lists() for text in (key, *values)):
            return _refuse(request, FORM_REFUSED)
        return None
