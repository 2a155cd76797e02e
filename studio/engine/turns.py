"""Other queues the engine's workers render, taking turns with generations.

The engine knows no product app: an app whose jobs render on these workers (the
composer's previews) registers its step from its ``AppConfig.ready()``, and
``engine_worker`` gives each registered queue a turn after each generation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    name: str
    # Claim and render one job; whether there was one. Never raises for a job's fault.
    step: Callable[[str, Callable[[], bool]], bool]
    # Housekeeping run about once a minute (expired jobs and their files); may raise.
    sweep: Callable[[], object] | None = None


_turns: dict[str, Turn] = {}


def register(turn: Turn) -> None:
    """Add a queue (registering the same name again replaces it)."""
    _turns[turn.name] = turn


def registered() -> tuple[Turn, ...]:
    return tuple(_turns.values())
