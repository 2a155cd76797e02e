"""Fetching an ImageRef ``url``: public addresses only, a timeout, a size cap (§2, §4).

Every hop of a redirect is checked again, so a public URL cannot bounce the engine
onto a loopback or private service.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from studio.contract import errors as e
from studio.contract.errors import ours
from studio.contract.models import IMAGE_MAX_BYTES, VIDEO_SOURCE_MAX_BYTES

from . import errors as x
from .errors import ApiFailure

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_REDIRECTS = 3
CHUNK = 256 * 1024


def _refuse(path: str) -> ApiFailure:
    return ApiFailure(422, x.URL_NOT_ALLOWED.format(path=path))


def check_public(url: str, path: str) -> None:
    """Refuse URLs that are not http(s) or resolve to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse(path)
    if settings.ENGINE_ALLOW_PRIVATE_URLS:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise ApiFailure(
            422, x.URL_UNREACHABLE.format(path=path, reason="host not found")
        ) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            raise _refuse(path)


def fetch(url: str, dest: Path, *, path: str, video: bool) -> str:
    """Download ``url`` into ``dest``; the content type it was served with.

    Images must be served as ``image/*`` and fit 50 MB; video sources ``video/*`` (or
    a generic binary type) and 200 MB. Failures raise ApiFailure with §4's strings.
    """
    limit = VIDEO_SOURCE_MAX_BYTES if video else IMAGE_MAX_BYTES
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                check_public(url, path)
                with client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise ApiFailure(422, e.fetch_failed(path, response.status_code))
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    _check_type(kind, path, video)
                    _save(response, dest, limit, path, video)
                    return kind
    except httpx.TimeoutException:
        raise ApiFailure(422, x.URL_UNREACHABLE.format(path=path, reason="timed out")) from None
    except httpx.HTTPError:
        reason = "connection failed"
        raise ApiFailure(422, x.URL_UNREACHABLE.format(path=path, reason=reason)) from None
    raise ApiFailure(422, x.URL_UNREACHABLE.format(path=path, reason="too many redirects"))


def _check_type(kind: str, path: str, video: bool) -> None:
    if video:
        if not (kind.startswith("video/") or kind == "application/octet-stream"):
            raise ApiFailure(422, ours("source_not_video"))
    elif not kind.startswith("image/"):
        raise ApiFailure(422, e.not_an_image(path))


def _too_large(path: str, video: bool) -> ApiFailure:
    return ApiFailure(413, e.video_too_large(path) if video else e.image_too_large(path))


def _save(response: httpx.Response, dest: Path, limit: int, path: str, video: bool) -> None:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(path, video)
    tmp = dest.with_name(dest.name + ".part")
    size = 0
    try:
        with open(tmp, "wb") as handle:
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(path, video)
                handle.write(chunk)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
