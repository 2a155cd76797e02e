"""API keys: minting, hashing and checking the Authorization header (contract §4, 401s)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from studio.contract import errors as e

from .errors import ApiFailure
from .models import ApiKey

KEY_PREFIX = "luma-api-"
PREFIX_CHARS = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    name: str,
    *,
    expires_at: datetime | None = None,
    balance: Decimal | None = None,
    rpm_limit: int | None = None,
    concurrent_limit: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key record and the key itself (shown once: only its hash is stored)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey.objects.create(
        name=name,
        prefix=secret[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_CHARS],
        secret_hash=hash_key(secret),
        expires_at=expires_at,
        balance=balance,
        rpm_limit=rpm_limit,
        concurrent_limit=concurrent_limit,
    )
    return record, secret


def revoke(keys: QuerySet[ApiKey]) -> int:
    """Stop these keys working from their next request; returns how many were active."""
    return keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate(request: HttpRequest) -> ApiKey:
    """The key of a request, or ApiFailure(401) with the contract's exact detail."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(KEY_PREFIX):
        raise ApiFailure(401, e.MISSING_KEY)
    key = ApiKey.objects.filter(secret_hash=hash_key(token)).first()
    if key is None:
        raise ApiFailure(401, e.INVALID_KEY)
    if key.revoked_at is not None:
        raise ApiFailure(401, e.KEY_REVOKED)
    if key.expires_at is not None and key.expires_at <= timezone.now():
        raise ApiFailure(401, e.KEY_EXPIRED)
    return key
