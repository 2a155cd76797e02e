"""The one error type of the generation API client, and its two special cases."""

from __future__ import annotations


class ApiError(Exception):
    """A request to the generation API (or a presigned URL) did not succeed.

    ``status`` is the HTTP status, or ``None`` when no answer came back (transport
    error, or a contract error caught before sending uses the status the server
    would have given). ``sent`` tells whether the request's bytes may have reached
    the server: when it is true for a create, a generation may exist.
    """

    def __init__(
        self,
        status: int | None,
        detail: str,
        *,
        request_id: str | None = None,
        retry_after: float | None = None,
        sent: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, detail)
        self.headers = headers or {}
        self.status = status
        self.detail = detail
        self.request_id = request_id
        self.retry_after = retry_after
        self.sent = sent

    def __str__(self) -> str:
        head = f"HTTP {self.status}" if self.status is not None else "No response"
        parts = [f"{head}: {self.detail}"]
        if self.retry_after is not None:
            parts.append(f"retry after {self.retry_after:g}s")
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return " · ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, detail={self.detail!r}, "
            f"request_id={self.request_id!r}, retry_after={self.retry_after!r}, "
            f"sent={self.sent!r})"
        )


class LinkExpired(ApiError):
    """A presigned download answered 403: fetch the generation again for fresh links."""


class UncertainSubmission(ApiError):
    """A create whose outcome is unknown: the bytes may have reached the server.

    The API has no idempotency key, so resending could pay for a second generation
    (or create a second file). The client never resends by itself; the caller decides,
    e.g. by asking a person, or by simply redoing a file upload, which only costs an
    orphan file that expires.
    """
