"""The Files API (contract §7): create (multipart or presigned), PUT target,
complete, get, list with keyset pages, soft delete."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone

from studio.contract import wire_time
from studio.contract.errors import ours
from studio.contract.models import FILE_MAX_BYTES, FILE_PURPOSES, FILE_STATES, USER_ID_MAX
from studio.contract.parsing import has_control, parse_moment, parse_uuid
from studio.engine import errors as x
from studio.engine import signing
from studio.engine.errors import ApiFailure
from studio.engine.files import INLINE_MAX_BYTES, ingest, relative_path, store
from studio.engine.http import api_view, read_json
from studio.engine.keys import authenticate
from studio.engine.models import ApiKey, EngineFile
from studio.engine.wire import file_body

State = EngineFile.State
UPLOAD_CHUNK = 256 * 1024
DEFAULT_LIMIT = 25


def _bad(detail: str) -> ApiFailure:
    return ApiFailure(400, detail)


def _file_of(key: ApiKey, file_id: str) -> EngineFile:
    parsed = parse_uuid(file_id)
    found = EngineFile.objects.filter(id=parsed, key=key).first() if parsed else None
    if found is None:
        raise ApiFailure(404, ours("file_not_found"))
    return found


def _mime_type(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 255 or has_control(value):
        raise _bad(ours("must_be_string", path="mime_type"))
    return value


def _options(values: Any) -> dict[str, Any]:
    """The optional fields both flows share, checked one by one (400s)."""
    purpose = values.get("purpose") or "input"
    if purpose not in FILE_PURPOSES:
        raise _bad(ours("must_be_one_of", path="purpose", choices=", ".join(FILE_PURPOSES)))
    filename = values.get("filename")
    if filename is not None and (not isinstance(filename, str) or len(filename) > 255):
        raise _bad(ours("must_be_string", path="filename"))
    user_id = values.get("user_id")
    if user_id is not None:
        if not isinstance(user_id, str):
            raise _bad(ours("must_be_string", path="user_id"))
        if len(user_id) > USER_ID_MAX:
            raise _bad(ours("user_id_length"))
    expires_at = values.get("expires_at")
    moment: datetime | None = None
    if expires_at not in (None, ""):
        moment = parse_moment(expires_at, assume_utc=True)
        if moment is None:
            raise _bad(ours("invalid_value", path="expires_at"))
    return {"purpose": purpose, "filename": filename, "user_id": user_id, "expires_at": moment}


@api_view("GET", "POST")
def collection(request: HttpRequest) -> HttpResponse:
    key = authenticate(request)
    if request.method == "GET":
        return _list(request, key)
    if request.content_type == "multipart/form-data":
        return _create_inline(request, key)
    return _create_presigned(request, key)


def _create_inline(request: HttpRequest, key: ApiKey) -> HttpResponse:
    part = request.FILES.get("file")
    if part is None:
        raise _bad(x.FILE_PART_REQUIRED)
    assert part.size is not None  # Django counts every part it parses
    if part.size > INLINE_MAX_BYTES:
        raise ApiFailure(413, x.FILE_TOO_LARGE_INLINE.format(limit=INLINE_MAX_BYTES // 2**20))
    options = _options(request.POST)
    options["filename"] = options["filename"] or part.name
    mime_type = _mime_type(
        request.POST.get("mime_type") or part.content_type or "application/octet-stream"
    )
    file = EngineFile(key=key, mime_type=mime_type, size_bytes=part.size, **options)
    file.path = relative_path(file)
    store(file, part.chunks())
    file.save()
    ingest(file)
    return JsonResponse(
        {"id": str(file.id), "state": file.state, "file": file_body(file), "upload": None},
        status=201,
    )


def _create_presigned(request: HttpRequest, key: ApiKey) -> HttpResponse:
    body = read_json(request)
    if not isinstance(body, dict):
        raise _bad(ours("body_not_object"))
    mime_type = body.get("mime_type")
    if mime_type is None:
        raise _bad(ours("required", path="mime_type"))
    mime_type = _mime_type(mime_type)
    size = body.get("size_bytes")
    if size is None:
        raise _bad(ours("required", path="size_bytes"))
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= FILE_MAX_BYTES:
        raise _bad(ours("number_positive_range", path="size_bytes", high=FILE_MAX_BYTES))
    file = EngineFile.objects.create(
        key=key, mime_type=mime_type, size_bytes=size, **_options(body)
    )
    path = reverse("engine:file-upload", args=[file.id])
    ttl = signing.default_ttl()
    upload = {
        "url": signing.absolute(request, path, ttl),
        "method": "PUT",
        "headers": {"Content-Type": mime_type},
        "expires_at": wire_time(timezone.now() + timedelta(seconds=ttl)),
    }
    return JsonResponse(
        {"id": str(file.id), "state": file.state, "file": file_body(file), "upload": upload},
        status=201,
    )


@api_view("PUT")
def upload(request: HttpRequest, file_id: str) -> HttpResponse:
    """The presigned PUT target: the signature is the credential (no API key)."""
    signing.verify(request)
    parsed = parse_uuid(file_id)
    file = EngineFile.objects.filter(id=parsed).first() if parsed else None
    if file is None:
        raise ApiFailure(404, ours("file_not_found"))
    if file.state != State.PENDING:
        raise ApiFailure(409, x.FILE_NOT_PENDING)
    expected = file.size_bytes
    received = 0

    def chunks() -> Iterator[bytes]:
        nonlocal received
        while True:
            chunk = request.read(UPLOAD_CHUNK)
            if not chunk:
                return
            received += len(chunk)
            if received > expected:
                raise ApiFailure(
                    400,
                    x.UPLOAD_SIZE_MISMATCH.format(
                        expected=expected, received=f"more than {expected}"
                    ),
                )
            yield chunk

    # Bytes of another length are not kept: nothing half-uploaded looks whole.
    store(file, chunks(), expected=expected)
    if received != expected:
        raise ApiFailure(400, x.UPLOAD_SIZE_MISMATCH.format(expected=expected, received=received))
    file.path = relative_path(file)
    file.save(update_fields=["path"])
    return HttpResponse(status=200)


@api_view("POST")
def complete(request: HttpRequest, file_id: str) -> HttpResponse:
    key = authenticate(request)
    file = _file_of(key, file_id)
    if file.state != State.PENDING:
        if file.state == State.DELETED:
            raise ApiFailure(404, ours("file_not_found"))
        return JsonResponse(file_body(file))  # already ingested: completing again is harmless
    if not file.path:
        raise ApiFailure(422, x.UPLOAD_NOT_RECEIVED)
    return JsonResponse(file_body(ingest(file)))


@api_view("GET", "DELETE")
def detail(request: HttpRequest, file_id: str) -> HttpResponse:
    key = authenticate(request)
    file = _file_of(key, file_id)
    if request.method == "GET":
        return JsonResponse(file_body(file))
    if file.state != State.DELETED:
        file.state = State.DELETED
        file.deleted_at = timezone.now()
        file.save(update_fields=["state", "deleted_at"])
    return HttpResponse(status=204)


def _encode_cursor(file: EngineFile) -> str:
    raw = f"{file.created_at.isoformat()}|{file.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, _, file_id = raw.partition("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _bad(x.BAD_CURSOR) from None
    moment = parse_moment(moment_text)
    if parse_uuid(file_id) is None or moment is None:
        raise _bad(x.BAD_CURSOR)
    return moment, file_id


def _list(request: HttpRequest, key: ApiKey) -> HttpResponse:
    params = request.GET
    try:
        limit = int(params.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        raise _bad(x.BAD_LIMIT) from None
    if not 1 <= limit <= 100:
        raise _bad(x.BAD_LIMIT)
    files = EngineFile.objects.filter(key=key)
    state = params.get("state")
    if state:
        if state not in FILE_STATES:
            raise _bad(ours("must_be_one_of", path="state", choices=", ".join(FILE_STATES)))
        files = files.filter(state=state)
    else:
        files = files.exclude(state=State.DELETED)
    purpose = params.get("purpose")
    if purpose:
        if purpose not in FILE_PURPOSES:
            raise _bad(ours("must_be_one_of", path="purpose", choices=", ".join(FILE_PURPOSES)))
        files = files.filter(purpose=purpose)
    cursor = params.get("cursor")
    if cursor:
        moment, after = _decode_cursor(cursor)
        files = files.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=after))
    page = list(files.order_by("-created_at", "-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return JsonResponse(
        {
            "data": [file_body(f) for f in page],
            "has_more": more,
            "next_cursor": _encode_cursor(page[-1]) if more else None,
        }
    )
