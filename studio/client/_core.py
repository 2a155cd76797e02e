"""What the sync and async clients share: retry policy, headers, error parsing.

Nothing here does I/O, so both clients run the exact same rules.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import math
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from .errors import ApiError, UncertainSubmission

USER_AGENT = "studio-client/1"
DEFAULT_MULTIPART_LIMIT = 10 * 1024 * 1024
CHUNK_SIZE = 1024 * 1024
# Long enough to read a human sentence, short enough that an HTML error page
# does not end up in a log line whole.
MAX_DETAIL_CHARS = 500

# The connection was never made, so the server cannot have seen a byte: safe to
# retry even a create.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Bytes may have left: safe to repeat only for idempotent requests.
MAYBE_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def new_request_id() -> str:
    return str(uuid.uuid4())


def path_part(value: str) -> str:
    """Quote an id for use as one path segment, so '../x' cannot reach another route."""
    if not value:
        raise ValueError("an id must not be empty")
    return quote(value, safe="")


def normalise_base_url(base_url: str) -> str:
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
    return base_url.rstrip("/")


def resolve_url(base_url: str, url: str) -> str:
    """Presigned URLs are absolute; a relative one is read against the API's origin."""
    return str(httpx.URL(base_url).join(url))


def request_headers(
    request_id: str, api_key: str | None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    headers = {"X-Request-Id": request_id, "User-Agent": USER_AGENT}
    if extra:
        headers.update(extra)
    # After the extras, so a presigned header set cannot smuggle in a key and an API
    # call cannot lose it.
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key}"
        headers.setdefault("Accept", "application/json")
    return headers


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        now = now or dt.datetime.now(dt.UTC)
        seconds = (when - now).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def response_detail(response: httpx.Response) -> str:
    """The `detail` of a contract error body, or the best readable fallback."""
    text = ""
    try:
        text = response.text
        body = json.loads(text)
    except (ValueError, UnicodeDecodeError, httpx.ResponseNotRead):
        body = None
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        text = detail if isinstance(detail, str) else json.dumps(detail)
    text = " ".join(text.split())
    if not text:
        text = response.reason_phrase or f"HTTP {response.status_code}"
    if len(text) > MAX_DETAIL_CHARS:
        text = text[: MAX_DETAIL_CHARS - 1] + "…"
    return text


def error_from_response(
    response: httpx.Response, request_id: str, cls: type[ApiError] = ApiError
) -> ApiError:
    return cls(
        response.status_code,
        response_detail(response),
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        sent=True,
        headers=dict(response.headers),
    )


def error_from_transport(exc: httpx.TransportError, request_id: str, *, create: bool) -> ApiError:
    sent = not isinstance(exc, (*NOT_SENT_ERRORS, httpx.UnsupportedProtocol))
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if create and sent:
        return UncertainSubmission(
            None,
            f"{what}; the request may have reached the server and its outcome is "
            "unknown: check before sending it again",
            request_id=request_id,
            sent=True,
        )
    return ApiError(None, what, request_id=request_id, sent=sent)


@dataclass(frozen=True)
class RateLimit:
    """The ``X-RateLimit-*`` headers of a create's answer (each None when absent)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # Unix time

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit:
        def number(name: str) -> float | None:
            try:
                value = float(headers.get(name, ""))
            except ValueError:
                return None
            return None if math.isnan(value) or math.isinf(value) or value < 0 else value

        limit, remaining = number("X-RateLimit-Limit"), number("X-RateLimit-Remaining")
        return cls(
            limit=int(limit) if limit is not None else None,
            remaining=int(remaining) if remaining is not None else None,
            reset=number("X-RateLimit-Reset"),
        )


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, bounded by ``max_retries``."""

    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    rand: Callable[[], float] = random.random

    def backoff(self, attempt: int) -> float:
        return self.rand() * min(self.backoff_cap, self.backoff_base * 2**attempt)

    def after_transport_error(
        self, exc: httpx.TransportError, attempt: int, *, idempotent: bool
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if attempt >= self.max_retries:
            return None
        if isinstance(exc, NOT_SENT_ERRORS):
            return self.backoff(attempt)
        if idempotent and isinstance(exc, MAYBE_SENT_ERRORS):
            return self.backoff(attempt)
        return None

    def after_error_status(
        self, error: ApiError, attempt: int, *, idempotent: bool
    ) -> float | None:
        # A create that got any answer is settled (even a 5xx may have created a
        # generation upstream), so only idempotent calls go round again.
        if not idempotent or attempt >= self.max_retries:
            return None
        if error.status is None or not is_retryable_status(error.status):
            return None
        if error.retry_after is not None:
            # A server asking for a longer pause than we would ever back off is
            # better handed to the caller, who can reschedule instead of blocking.
            if error.retry_after > self.backoff_cap:
                return None
            return error.retry_after
        return self.backoff(attempt)


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def file_list_params(
    cursor: str | None, limit: int, purpose: str | None, state: str | None
) -> dict[str, Any]:
    if not 1 <= limit <= 100:
        raise ValueError(f"limit must be between 1 and 100, got {limit}")
    return drop_none({"cursor": cursor, "limit": limit, "purpose": purpose, "state": state})


def next_cursor(page: Mapping[str, Any], seen: set[str]) -> str | None:
    """The cursor of the following page, refusing a server that loops back."""
    cursor = page.get("next_cursor")
    if not page.get("has_more") or not cursor:
        return None
    if cursor in seen:
        raise ApiError(None, f"file listing repeated cursor {cursor!r}", sent=True)
    seen.add(cursor)
    return str(cursor)


TERMINAL_FILE_STATES = frozenset({"ready", "failed", "deleted"})


def upload_envelope(answer: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    """The presigned PUT target of a JSON file create."""
    upload = answer.get("upload")
    if not isinstance(upload, Mapping) or not upload.get("url"):
        raise ApiError(None, "file create answered without an upload URL", sent=True)
    headers = {str(k): str(v) for k, v in (upload.get("headers") or {}).items()}
    return str(upload.get("method") or "PUT").upper(), str(upload["url"]), headers


def answer_json(response: httpx.Response, request_id: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ApiError(
            response.status_code,
            f"answer is not JSON: {response_detail(response)}",
            request_id=request_id,
            sent=True,
        ) from exc


def preflight(body: Mapping[str, Any]) -> None:
    """Check a create body against the wire contract before a paid request leaves."""
    if not isinstance(body, Mapping):
        raise TypeError(f"a generation body must be a dict, got {type(body).__name__}")
    # Imported here so the file and download calls do not depend on the contract
    # package being importable.
    from studio.contract import ContractError, validate

    try:
        validate(body)
    except ContractError as exc:
        raise ApiError(
            getattr(exc, "status", 400),
            getattr(exc, "detail", None) or str(exc),
            sent=False,
        ) from exc


def file_of(answer: Any) -> dict[str, Any]:
    """The File record of a create answer (``{"id", "state", "file", "upload"}``)."""
    if isinstance(answer, Mapping) and isinstance(answer.get("file"), Mapping):
        return dict(answer["file"])
    if isinstance(answer, Mapping):
        return dict(answer)
    raise ApiError(None, "file answer is not an object", sent=True)


def check_upload_args(size: int, mime_type: str) -> None:
    if not mime_type or "/" not in mime_type:
        raise ValueError(f"mime_type must look like 'image/png', got {mime_type!r}")
    if size == 0:
        raise ValueError("nothing to upload: the file is empty")
