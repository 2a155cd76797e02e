"""Deliberate faults, so the studio's resilience can be tested against a real server.

Decisions are drawn from a generator seeded by what the client controls (its request
id, the generation id), so a test that sends the same ids sees the same faults.
"""

from __future__ import annotations

import random

from django.conf import settings

from studio.contract import errors as e

from .errors import ApiFailure


def maybe_fail_get(request_id: str) -> None:
    rate = settings.ENGINE_FAULT_GET_RATE
    if rate <= 0:
        return
    draw = random.Random(f"get:{request_id}")
    if draw.random() >= rate:
        return
    if draw.random() < 0.5:
        raise ApiFailure(429, e.RATE_LIMITED, {"Retry-After": "1"})
    raise ApiFailure(502, e.UPSTREAM_UNAVAILABLE)


def render_fails(generation_id: str, attempt: int) -> bool:
    rate = settings.ENGINE_FAULT_RENDER_RATE
    if rate <= 0:
        return False
    return random.Random(f"render:{generation_id}:{attempt}").random() < rate
