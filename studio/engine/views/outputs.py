"""Presigned links: output downloads (GET) and the Files API's upload target (PUT).

An output is served from the engine's store once the link's signature checks out: from
disk with byte ranges honoured, or as a redirect to the bucket's own short-lived link,
whose store answers ranges itself.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from studio import mediastore
from studio.contract import FAILURE_REASONS
from studio.contract.parsing import parse_uuid
from studio.engine import errors as x
from studio.engine import signing
from studio.engine.errors import ApiFailure
from studio.engine.http import api_view
from studio.engine.models import EngineGeneration
from studio.engine.storage import ENGINE
from studio.engine.wire import EXR_NAME, VIDEO_NAME

CONTENT_TYPES = {VIDEO_NAME: "video/mp4", EXR_NAME: "application/zip"}


@api_view("GET", "HEAD")
def output(request: HttpRequest, generation_id: str, name: str) -> HttpResponseBase:
    signing.verify(request)
    parsed = parse_uuid(generation_id)
    generation = EngineGeneration.objects.filter(id=parsed).first() if parsed else None
    if generation is None or name not in CONTENT_TYPES:
        raise ApiFailure(404, x.NOT_FOUND)
    relative = generation.video_path if name == VIDEO_NAME else generation.exr_path
    if generation.state != EngineGeneration.State.COMPLETED or not relative:
        raise ApiFailure(404, FAILURE_REASONS["output_not_found"])
    try:
        return mediastore.serve(
            request, relative, download_name=name, content_type=CONTENT_TYPES[name], alias=ENGINE
        )
    except (Http404, SuspiciousFileOperation):
        raise ApiFailure(404, FAILURE_REASONS["output_not_found"]) from None
