"""Helpers for tests that drive the local engine (also used by other apps' tests).

key = create_key()                       # a fresh luma-api-… key
client = Client(f"{live_server.url}/v1", key)
...create a generation over HTTP...
run_pending_renders()                    # the worker's step, in-process
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from studio.engine.jobs import process_one
from studio.engine.keys import create_key as _create_key

TEST_WORKER = "test-worker"


def create_key(
    name: str = "test",
    *,
    expires_at: datetime | None = None,
    balance: Decimal | str | None = None,
    rpm_limit: int | None = None,
    concurrent_limit: int | None = None,
) -> str:
    """A new API key (the secret, ``luma-api-…``) with optional limits."""
    _, secret = _create_key(
        name,
        expires_at=expires_at,
        balance=Decimal(balance) if balance is not None else None,
        rpm_limit=rpm_limit,
        concurrent_limit=concurrent_limit,
    )
    return secret


def run_pending_renders(limit: int | None = None) -> int:
    """Render queued jobs synchronously, as a worker would; how many were processed."""
    done = 0
    while limit is None or done < limit:
        if not process_one(TEST_WORKER):
            break
        done += 1
    return done
