"""When to look at a generation next: by its age, and after errors.

A generation within its expected time is polled every 2–5 s; an overdue one every
15–30 s, for as long as it takes (there is no deadline). Errors push the next look
forward: 429 by its Retry-After, anything else by capped exponential backoff. Every
delay carries jitter so that rows created together drift apart instead of hitting the
API in lockstep.
"""

from __future__ import annotations

import random
from collections.abc import Callable

FAST_MIN_S = 2.0
FAST_MAX_S = 5.0
SLOW_MIN_S = 15.0
SLOW_MAX_S = 30.0
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
# A row that keeps failing in the same way (a download that keeps breaking, a file that
# cannot be decoded) is still retried, but no more often than this.
STUBBORN_CAP_S = 900.0
JITTER = 0.1

Rand = Callable[[], float]


def jittered(seconds: float, rand: Rand = random.random) -> float:
    """``seconds`` ± 10 %."""
    return seconds * (1.0 - JITTER + 2 * JITTER * rand())


def poll_interval(elapsed_s: float, expected_s: float, rand: Rand = random.random) -> float:
    """Seconds to the next GET of a generation that is still queued or processing."""
    expected_s = max(expected_s, 1.0)
    if elapsed_s <= expected_s:
        # A twentieth of the expected time, so short jobs are seen finishing promptly
        # and long ones do not cost a request every 2 s for ten minutes.
        base = min(FAST_MAX_S, max(FAST_MIN_S, expected_s / 20.0))
    else:
        # Overdue: slow down gradually, reaching the slowest pace at three times the
        # expected time.
        over = min(1.0, (elapsed_s - expected_s) / (2.0 * expected_s))
        base = SLOW_MIN_S + (SLOW_MAX_S - SLOW_MIN_S) * over
    return jittered(base, rand)


def retry_delay(
    failures: int,
    retry_after: float | None = None,
    *,
    cap: float = BACKOFF_CAP_S,
    rand: Rand = random.random,
) -> float:
    """Seconds before trying again after the ``failures``-th failure in a row (1-based).

    A server's Retry-After is honoured as a floor (with a little jitter on top, never
    below it); otherwise full jitter over a capped exponential.
    """
    if retry_after is not None and retry_after >= 0:
        return retry_after + JITTER * max(retry_after, 1.0) * rand()
    ceiling = min(cap, BACKOFF_BASE_S * 2 ** max(0, failures - 1))
    # Half fixed, half random: never a zero wait, still spread out.
    return ceiling / 2 + rand() * ceiling / 2
