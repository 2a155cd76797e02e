"""Fetching an ImageRef ``url`` through the studio's outbound guard (§2, §4).

The guard resolves the host once, refuses private addresses and connects only to what it
checked; every hop of a redirect goes through it again, so a public URL cannot bounce
the engine onto a loopback or private service. Here its refusals and caps become the
contract's error strings.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from studio import outbound
from studio.contract import errors as e
from studio.contract.errors import ours
from studio.contract.models import IMAGE_MAX_BYTES, VIDEO_SOURCE_MAX_BYTES

from . import errors as x
from .errors import ApiFailure

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# From the request to the last byte, whatever the pace of each read.
FETCH_MAX_SECONDS = 120.0
MAX_REDIRECTS = 3
CHUNK = 256 * 1024


def _refuse(path: str) -> ApiFailure:
    return ApiFailure(422, x.URL_NOT_ALLOWED.format(path=path))


def _unreachable(path: str, reason: str) -> ApiFailure:
    return ApiFailure(422, x.URL_UNREACHABLE.format(path=path, reason=reason))


def fetch(url: str, dest: Path, *, path: str, video: bool) -> str:
    """Download ``url`` into ``dest``; the content type it was served with.

    Images must be served as ``image/*`` and fit 50 MB; video sources ``video/*`` (or
    a generic binary type) and 200 MB. Failures raise ApiFailure with §4's strings.
    """
    limit = VIDEO_SOURCE_MAX_BYTES if video else IMAGE_MAX_BYTES
    try:
        outbound.split_url(url)
    except outbound.Refused:
        raise _refuse(path) from None
    try:
        with (
            outbound.client(
                timeout=TIMEOUT,
                max_redirects=MAX_REDIRECTS,
                max_bytes=limit,
                max_seconds=FETCH_MAX_SECONDS,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ApiFailure(422, e.fetch_failed(path, response.status_code))
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            _check_type(kind, path, video)
            _save(response, dest)
            return kind
    except outbound.TooLarge:
        raise _too_large(path, video) from None
    except httpx.TooManyRedirects:
        raise _unreachable(path, "too many redirects") from None
    except httpx.TimeoutException:
        raise _unreachable(path, "timed out") from None
    except httpx.HTTPError as exc:
        refusal = outbound.refusal_of(exc)
        if isinstance(refusal, outbound.Refused):
            raise _refuse(path) from None
        if isinstance(refusal, outbound.HostNotFound):
            raise _unreachable(path, "host not found") from None
        raise _unreachable(path, "connection failed") from None


def _check_type(kind: str, path: str, video: bool) -> None:
    if video:
        if not (kind.startswith("video/") or kind == "application/octet-stream"):
            raise ApiFailure(422, ours("source_not_video"))
    elif not kind.startswith("image/"):
        raise ApiFailure(422, e.not_an_image(path))


def _too_large(path: str, video: bool) -> ApiFailure:
    return ApiFailure(413, e.video_too_large(path) if video else e.image_too_large(path))


def _save(response: httpx.Response, dest: Path) -> None:
    """Stream the body to ``dest`` (the guard enforces the size cap as it arrives)."""
    tmp = dest.with_name(dest.name + ".part")
    try:
        with open(tmp, "wb") as handle:
            for chunk in response.iter_bytes(CHUNK):
                handle.write(chunk)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
