"""Presigned links: output downloads (GET) and the Files API's upload target (PUT)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils._os import safe_join

from studio.contract import FAILURE_REASONS
from studio.engine import errors as x
from studio.engine import signing
from studio.engine.errors import ApiFailure
from studio.engine.http import api_view, parse_uuid
from studio.engine.models import EngineGeneration
from studio.engine.wire import EXR_NAME, VIDEO_NAME

CONTENT_TYPES = {VIDEO_NAME: "video/mp4", EXR_NAME: "application/zip"}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


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
    return _file_response(request, handle, path.stat().st_size, CONTENT_TYPES[name], name)


def _file_response(
    request: HttpRequest, handle: BinaryIO, size: int, content_type: str, name: str
) -> HttpResponse:
    """The whole file, or one byte range of it (enough for resuming and seeking)."""
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(0, size - int(last)), size - 1
        if start > end or start >= size:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(
            _slice(handle, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(handle, content_type=content_type, filename=name)
    response["Accept-Ranges"] = "bytes"
    return response


def _slice(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(length, 256 * 1024))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
