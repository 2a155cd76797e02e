"""The asyncio generation API client: the same calls and rules as the blocking one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from ._core import (
    DEFAULT_MULTIPART_LIMIT,
    NOT_SENT_ERRORS,
    TERMINAL_FILE_STATES,
    RetryPolicy,
    answer_json,
    check_upload_args,
    drop_none,
    error_from_response,
    error_from_transport,
    file_list_params,
    file_of,
    new_request_id,
    next_cursor,
    normalise_base_url,
    path_part,
    preflight,
    request_headers,
    resolve_url,
    upload_envelope,
)
from ._io import Download, DownloadSink, UploadSource, expected_length
from .errors import ApiError, LinkExpired


class AsyncClient:
    """One connection pool to one generation API (the real service or the local engine).

    Creates (of generations and of files) are never resent once their bytes may have
    left: the API has no idempotency key. Reads and downloads are retried with capped
    exponential backoff and full jitter.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        multipart_limit: int = DEFAULT_MULTIPART_LIMIT,
        rand: Callable[[], float] | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        if timeout <= 0 or max_retries < 0 or backoff_base < 0 or backoff_cap < 0:
            raise ValueError("timeout must be positive; retries and backoff not negative")
        self.base_url = normalise_base_url(base_url)
        self._api_key = api_key
        self.multipart_limit = multipart_limit
        self.policy = RetryPolicy(
            max_retries, backoff_base, backoff_cap, rand=rand or random.random
        )
        self._sleep = sleep or asyncio.sleep
        self.last_request_id: str | None = None
        # A given transport makes every connection (the studio's outbound guard, say): no
        # proxy from the environment may go around it.
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), transport=transport, trust_env=transport is None
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def close(self) -> None:
        await self.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # Generations

    async def create_generation(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /generations. Raises UncertainSubmission when the outcome is unknown."""
        preflight(body)
        return await self._json("POST", "/generations", idempotent=False, json=body)

    async def get_generation(self, id: str) -> dict[str, Any]:
        return await self._json("GET", f"/generations/{path_part(id)}", idempotent=True)

    # Files

    async def upload_file(
        self,
        path_or_bytes: bytes | str | os.PathLike[str],
        *,
        mime_type: str,
        filename: str | None = None,
        purpose: str = "reference",
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """Upload media and return its File (state ``pending``; see wait_file_ready).

        Small files go inline as multipart; larger ones through a presigned PUT streamed
        from disk. A file create is not resent once it may have reached the server: on
        UncertainSubmission simply upload again (the stray copy expires).
        """
        source = UploadSource(path_or_bytes)
        check_upload_args(source.size, mime_type)
        filename = filename or source.default_filename
        fields = drop_none({"purpose": purpose, "filename": filename, "user_id": user_id})
        if source.size <= self.multipart_limit:
            part = (filename or "upload", source.read_all(), mime_type)
            answer = await self._json(
                "POST", "/files", idempotent=False, data=fields, files={"file": part}
            )
            return file_of(answer)
        answer = await self._json(
            "POST",
            "/files",
            idempotent=False,
            json={"mime_type": mime_type, "size_bytes": source.size, **fields},
        )
        file_id = str(file_of(answer).get("id") or answer.get("id"))
        method, url, headers = upload_envelope(answer)
        try:
            await self._request(
                method,
                resolve_url(self.base_url, url),
                idempotent=True,
                api=False,
                headers={**headers, "Content-Length": str(source.size)},
                content=lambda: _aiter_chunks(source),
            )
        except Exception:
            # Don't leave a pending file nobody will complete; the PUT error matters more.
            with contextlib.suppress(ApiError):
                await self.delete_file(file_id)
            raise
        return file_of(
            await self._json("POST", f"/files/{path_part(file_id)}/complete", idempotent=False)
        )

    async def get_file(self, id: str) -> dict[str, Any]:
        return await self._json("GET", f"/files/{path_part(id)}", idempotent=True)

    async def list_files(
        self,
        *,
        cursor: str | None = None,
        limit: int = 25,
        purpose: str | None = None,
        state: str | None = None,
    ) -> dict[str, Any]:
        params = file_list_params(cursor, limit, purpose, state)
        return await self._json("GET", "/files", idempotent=True, params=params)

    async def iter_files(
        self, *, limit: int = 100, purpose: str | None = None, state: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every file, newest first, fetching pages as the caller consumes them."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.list_files(cursor=cursor, limit=limit, purpose=purpose, state=state)
            for file in page.get("data") or []:
                yield file
            cursor = next_cursor(page, seen)
            if cursor is None:
                return

    async def delete_file(self, id: str) -> None:
        await self._request(
            "DELETE", f"{self.base_url}/files/{path_part(id)}", idempotent=True, gone_ok=True
        )

    async def wait_file_ready(
        self, id: str, timeout: float = 300.0, interval: float = 2.0
    ) -> dict[str, Any]:
        """Poll until the file is ready, failed or deleted; return it (check ``state``)."""
        deadline = time.monotonic() + timeout
        waited = 0.0
        while True:
            file = await self.get_file(id)
            if file.get("state") in TERMINAL_FILE_STATES:
                return file
            # Counting our own sleeps too keeps the loop bounded when sleep is stubbed.
            if waited >= timeout or time.monotonic() >= deadline:
                raise ApiError(
                    None,
                    f"file {id} still {file.get('state')!r} after {timeout:g}s",
                    request_id=self.last_request_id,
                    sent=True,
                )
            await self._sleep(interval)
            waited += interval

    # Downloads

    async def download(self, url: str, dest: Path) -> Download:
        """Stream a presigned URL to ``dest`` atomically; 403 raises LinkExpired."""
        dest = Path(dest)
        target = resolve_url(self.base_url, url)
        attempt = 0
        while True:
            request_id = new_request_id()
            self.last_request_id = request_id
            sink: DownloadSink | None = None
            try:
                async with self._http.stream(
                    "GET", target, headers=request_headers(request_id, None), follow_redirects=True
                ) as response:
                    if response.is_success:
                        sink = DownloadSink(dest)
                        # Network-sized chunks; writing one to local disk is short enough to do inline.
                        async for chunk in response.aiter_bytes():
                            sink.write(chunk)
                        expected = expected_length(response)
                        if expected is not None and sink.size != expected:
                            raise httpx.RemoteProtocolError(
                                f"body ended after {sink.size} of {expected} bytes",
                                request=response.request,
                            )
                        return sink.commit()
                    await response.aread()
                    cls = LinkExpired if response.status_code == 403 else ApiError
                    error = error_from_response(response, request_id, cls)
                delay = (
                    None
                    if cls is LinkExpired
                    else self.policy.after_error_status(error, attempt, idempotent=True)
                )
                if delay is None:
                    raise error
            except httpx.TransportError as exc:
                if sink is not None:
                    sink.abort()
                delay = self.policy.after_transport_error(exc, attempt, idempotent=True)
                if delay is None:
                    raise error_from_transport(exc, request_id, create=False) from exc
            except BaseException:
                if sink is not None:
                    sink.abort()
                raise
            await self._sleep(delay)
            attempt += 1

    # Plumbing

    async def _json(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response, request_id = await self._request(
            method, self.base_url + path, idempotent=idempotent, **kwargs
        )
        return answer_json(response, request_id)

    async def _request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        api: bool = True,
        headers: Mapping[str, str] | None = None,
        content: Callable[[], AsyncIterator[bytes]] | None = None,
        gone_ok: bool = False,
        **kwargs: Any,
    ) -> tuple[httpx.Response, str]:
        """Send with retries; ``api`` False drops the key (presigned URLs carry their own)."""
        attempt = 0
        maybe_done = False
        while True:
            request_id = new_request_id()
            self.last_request_id = request_id
            sent_headers = request_headers(request_id, self._api_key if api else None, headers)
            body: dict[str, Any] = {"content": content()} if content is not None else {}
            try:
                response = await self._http.request(
                    method, url, headers=sent_headers, **body, **kwargs
                )
            except httpx.TransportError as exc:
                delay = self.policy.after_transport_error(exc, attempt, idempotent=idempotent)
                if delay is None:
                    raise error_from_transport(exc, request_id, create=not idempotent) from exc
                maybe_done = maybe_done or not isinstance(exc, NOT_SENT_ERRORS)
            else:
                if response.is_success:
                    return response, request_id
                # A delete whose earlier try may have landed finds the file gone.
                if gone_ok and maybe_done and response.status_code == 404:
                    return response, request_id
                error = error_from_response(response, request_id)
                delay = self.policy.after_error_status(error, attempt, idempotent=idempotent)
                if delay is None:
                    raise error
                maybe_done = maybe_done or response.status_code >= 500
            await self._sleep(delay)
            attempt += 1


async def _aiter_chunks(source: UploadSource) -> AsyncIterator[bytes]:
    """The upload's chunks, reading the disk off the event loop."""
    chunks = source.chunks()
    while True:
        chunk = await asyncio.to_thread(next, chunks, None)
        if chunk is None:
            return
        yield chunk
