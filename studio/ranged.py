"""File responses that honour one byte range: browsers seek in a video only when they do.

Shared by the studio's own file views and the local engine's output links.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from studio.contract.parsing import MAX_ID, parse_int

RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
CHUNK = 256 * 1024


def _position(digits: str) -> int:
    """A byte position of a Range header; one too large to read is past any file."""
    number = parse_int(digits)
    return MAX_ID if number is None else number


def _slice(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(
    request: HttpRequest,
    handle: BinaryIO,
    name: str,
    *,
    content_type: str | None = None,
    download_name: str | None = None,
) -> HttpResponseBase:
    """The whole file (200), one satisfiable range of it (206), or 416 for a bad range.

    One range is enough for what asks: browsers seeking in a video, resumed downloads.
    """
    size = os.fstat(handle.fileno()).st_size
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    match = RANGE.match(request.headers.get("Range", "").strip())
    if not match or not (match.group(1) or match.group(2)):
        response: HttpResponseBase = FileResponse(
            handle, content_type=content_type, filename=download_name or ""
        )
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = _position(first), min(_position(last) if last else size - 1, size - 1)
    else:  # the last N bytes
        start, end = max(0, size - _position(last)), size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = StreamingHttpResponse(
        _slice(handle, start, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
