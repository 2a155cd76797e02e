"""Presigned links: output downloads (GET) and the Files API's upload target (PUT)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils._os import safe_join

from studio.contract import FAILURE_REASONS
from studio.contract.parsing import parse_uuid
from studio.engine import errors as x
from studio.engine import signing
from studio.engine.errors import ApiFailure
from studio.engine.http import api_view
from studio.engine.models import EngineGeneration
from studio.engine.wire import EXR_NAME, VIDEO_NAME
from studio.ranged import ranged_file_response

CONTENT_TYPES = {VIDEO_NAME: "video/mp4", EXR_NAME: "application/zip"}


@api_view("GET", "HEAD")
def output(request: HttpRequest, generation_id: str, name: str) -> HttpResponse:
    signing.verify(request)
    parsed = parse_uuid(generation_id)
    generation = EngineGeneration.objects.filter(id=parsed).first() if parsed else None
    if generation is None or name not in CONTENT_TYPES:
        raise ApiFailure(404, x.NOT_FOUND)
    relative = generation.video_path if name == VIDEO_NAME else generation.exr_path
    if generation.state != EngineGeneration.State.COMPLETED or not relative:
        raise ApiFailure(404, FAILURE_REASONS["output_not_found"])
    try:
        path = Path(safe_join(settings.ENGINE_MEDIA_ROOT, relative))
        handle = open(path, "rb")  # noqa: SIM115 - the response closes it
    except (OSError, ValueError):
        raise ApiFailure(404, FAILURE_REASONS["output_not_found"]) from None
    return ranged_file_response(
        request, handle, name, content_type=CONTENT_TYPES[name], download_name=name
    )
