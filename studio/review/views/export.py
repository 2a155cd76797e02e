"""Download a selection, a batch or an extend chain as one zip (see ``review.export``)."""

from __future__ import annotations

from django.http import (
    Http404,
    HttpRequest,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from studio.contract.parsing import parse_uuid
from studio.generations.access import get_generation_for
from studio.review import export
from studio.review.batches import get_batch_for
from studio.teams.access import login_or_token, require_membership


def zip_response(selection: export.Selection) -> StreamingHttpResponse:
    """The archive, streamed; no length is known before the last byte is written."""
    response = StreamingHttpResponse(export.stream(selection), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{selection.name}.zip"'
    # Private to the person: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_or_token
@require_GET
def download(request: HttpRequest) -> HttpResponseBase:
    """``?g=…&g=…`` (ticked in the gallery), ``?batch=…`` or ``?chain=…``; ``exr=1`` adds
    the EXR frames. Anyone who may watch a generation may take it away, signed in or with
    an API token (which acts in its own team)."""
    exr = request.GET.get("exr", "").lower() in export.YES
    try:
        selection = selection_from(request, exr=exr)
    except export.ExportError as exc:
        return HttpResponseBadRequest(str(exc))
    return zip_response(selection)


def selection_from(request: HttpRequest, *, exr: bool = False) -> export.Selection:
    """What a query names: ``?chain=…``, ``?batch=…`` or ``?g=…&g=…`` (also used by the
    timeline and animatic exports). Raises ``ExportError`` (a 400) or ``Http404``."""
    if "chain" in request.GET:
        generation, _membership = get_generation_for(request, request.GET["chain"])
        return export.chain_selection(generation, exr=exr)
    membership = require_membership(request, "view")
    if "batch" in request.GET:
        batch = get_batch_for(membership.team, request.GET["batch"])
        return export.batch_selection(batch, exr=exr)
    ids = [parse_uuid(value) for value in request.GET.getlist("g")]
    if None in ids:
        raise Http404("No such generation")
    return export.selection_of(membership.team, ids, exr=exr)
