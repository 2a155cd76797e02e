"""The engine's own failure type and the few details the contract leaves to a server."""

from __future__ import annotations

from typing import Final


class ApiFailure(Exception):
    """An HTTP error answer: status, ``{"detail": ...}`` and any extra headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


# Wording for cases the contract has no string for. Kept here, in one place, so the
# contract's table can adopt them if the real API's text becomes known.
NOT_FOUND: Final = "Not found"
METHOD_NOT_ALLOWED: Final = "Method not allowed"
URL_NOT_ALLOWED: Final = "{path}: URL must be a public http(s) address"
URL_UNREACHABLE: Final = "{path}: failed to fetch URL ({reason})"
LINK_EXPIRED: Final = "Link has expired"
LINK_INVALID: Final = "Link signature is not valid"
FILE_TOO_LARGE_INLINE: Final = (
    "file: inline uploads are limited to {limit} MB; use a presigned upload"
)
FILE_PART_REQUIRED: Final = "file: is required"
UPLOAD_SIZE_MISMATCH: Final = "body: expected {expected} bytes, received {received}"
UPLOAD_NOT_RECEIVED: Final = "file: no upload has been received for this file"
FILE_NOT_PENDING: Final = "file: is not awaiting an upload"
BAD_CURSOR: Final = "cursor: invalid value"
BAD_LIMIT: Final = "limit: must be an integer between 1 and 100"
