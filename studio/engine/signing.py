"""Presigned links: an HMAC over the path and the expiry time (contract §3).

The key is derived from SECRET_KEY with a purpose of its own, so a link signature can
never be replayed as any other signed value of the studio.
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from . import errors as x
from .errors import ApiFailure

SALT = "studio.engine.signed-link"


def _signature(path: str, expires: int) -> str:
    return salted_hmac(SALT, f"{path}\n{expires}", algorithm="sha256").hexdigest()


def default_ttl() -> int:
    return int(settings.ENGINE_LINK_TTL)


def sign(path: str, ttl: int | None = None, *, now: float | None = None) -> str:
    """``path?expires=…&signature=…`` valid for ``ttl`` seconds (ENGINE_LINK_TTL)."""
    ttl = settings.ENGINE_LINK_TTL if ttl is None else ttl
    expires = int((time.time() if now is None else now) + ttl)
    return f"{path}?{urlencode({'expires': expires, 'signature': _signature(path, expires)})}"


def absolute(request: HttpRequest, path: str, ttl: int | None = None) -> str:
    return request.build_absolute_uri(sign(path, ttl))


def verify(request: HttpRequest) -> None:
    """403 unless the request's path carries a current, untampered signature."""
    expires_raw = request.GET.get("expires", "")
    signature = request.GET.get("signature", "")
    try:
        expires = int(expires_raw)
    except ValueError:
        raise ApiFailure(403, x.LINK_INVALID) from None
    if not hmac.compare_digest(signature, _signature(request.path, expires)):
        raise ApiFailure(403, x.LINK_INVALID)
    if expires < time.time():
        raise ApiFailure(403, x.LINK_EXPIRED)
