"""Per-key limits on creates (contract §5) and the optional balance (§4, 402).

The window lives in the database (one row per accepted create) because several web
processes answer for the same key; the checks run under a row lock on the key, so two
concurrent creates cannot both take the last slot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from studio.contract import errors as e

from .errors import ApiFailure
from .models import ApiKey, EngineGeneration, RateEvent


def window() -> timedelta:
    return timedelta(seconds=settings.RATE_WINDOW_S)


@dataclass(frozen=True)
class Allowance:
    limit: int
    remaining: int
    reset: int  # Unix time when the oldest counted request leaves the window

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def rpm_limit(key: ApiKey) -> int:
    return key.rpm_limit if key.rpm_limit is not None else settings.ENGINE_RPM_LIMIT


def concurrent_limit(key: ApiKey) -> int:
    if key.concurrent_limit is not None:
        return key.concurrent_limit
    return settings.ENGINE_CONCURRENT_LIMIT


def admit(key: ApiKey, price: Decimal, *, record: bool) -> Allowance:
    """Check RPM, concurrency and balance for one more create; raise the 429/402.

    With ``record`` the create is counted (call it inside the transaction that holds
    the key's row lock and creates the generation).
    """
    now = timezone.now()
    WINDOW = window()  # noqa: N806 - read once per call; tests shorten it
    RateEvent.objects.filter(key=key, at__lte=now - WINDOW).delete()
    recent = list(
        RateEvent.objects.filter(key=key, at__gt=now - WINDOW)
        .order_by("at")
        .values_list("at", flat=True)
    )
    limit = rpm_limit(key)
    oldest = recent[0] if recent else now
    reset = math.ceil((oldest + WINDOW).timestamp())
    if len(recent) >= limit:
        retry = max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
        headers = {"Retry-After": str(retry), **Allowance(limit, 0, reset).headers()}
        raise ApiFailure(429, e.RATE_LIMITED, headers)
    running = EngineGeneration.objects.filter(
        key=key, state__in=EngineGeneration.NON_TERMINAL
    ).count()
    if running >= concurrent_limit(key):
        raise ApiFailure(429, e.TOO_MANY_JOBS, {"Retry-After": "60"})
    if settings.ENGINE_BALANCE_ENABLED and key.balance is not None and price > key.balance:
        raise ApiFailure(402, e.INSUFFICIENT_BALANCE)
    if record:
        RateEvent.objects.create(key=key, at=now)
        recent.append(now)
        reset = math.ceil((recent[0] + WINDOW).timestamp())
    return Allowance(limit, max(0, limit - len(recent)), reset)
