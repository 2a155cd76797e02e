"""Takes and batches: one composition several times, or varied across its takes.

The API has no seed, so plain takes differ by the model's own randomness. A batch may
instead vary one thing: a list of prompts (one take each), or a sweep over one
parameter. Every take is judged by the contract before anything is recorded; the first
invalid one refuses the whole batch. The composer and the studio's API both use this.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from studio.contract import (
    ASPECT_RATIOS,
    RESOLUTIONS,
    STRENGTHS,
    ContractError,
    Price,
    price_of,
    validate,
)
from studio.contract.models import DURATIONS

MAX_TAKES = 16
# What a sweep may vary, where it sits in the body, and the values it may take.
SWEEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "resolution": (("video", "resolution"), RESOLUTIONS, "Resolution"),
    "duration": (("video", "duration"), DURATIONS, "Duration"),
    "aspect_ratio": (("aspect_ratio",), ASPECT_RATIOS, "Aspect ratio"),
    "strength": (("video", "edit", "strength"), STRENGTHS, "Edit strength preset"),
}


class TakeProblem(Exception):
    """A take the contract refuses (``index`` is 0-based), or a batch that is malformed."""

    def __init__(self, status: int, detail: str, index: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.index = index


@dataclass(frozen=True)
class Plan:
    bodies: list[dict[str, Any]]
    kind: str  # Batch.Kind value: takes, prompts or sweep
    varies: str = ""


def _set(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    holder = body
    for key in path[:-1]:
        holder = holder.setdefault(key, {})
    holder[path[-1]] = value


def plan(
    body: dict[str, Any],
    *,
    takes: int = 1,
    prompts: Sequence[str] | None = None,
    sweep: tuple[str, Sequence[str]] | None = None,
) -> Plan:
    """The bodies of a batch: ``takes`` copies, one per prompt, or one per sweep value."""
    if prompts:
        # Each prompt is judged with its take by ``check``, like any other field.
        bodies = [{**copy.deepcopy(body), "prompt": p.strip()} for p in prompts]
        result = Plan(bodies, "prompts", "prompt")
    elif sweep:
        name, values = sweep
        if name not in SWEEPS:
            raise TakeProblem(400, f"sweep: must be one of {', '.join(SWEEPS)}")
        path, allowed, _ = SWEEPS[name]
        values = list(dict.fromkeys(values))
        bad = [v for v in values if v not in allowed]
        if bad:
            raise TakeProblem(400, f"sweep: {bad[0]!r} is not a {name} ({', '.join(allowed)})")
        bodies = []
        for value in values:
            varied = copy.deepcopy(body)
            _set(varied, path, value)
            bodies.append(varied)
        result = Plan(bodies, "sweep", name)
    else:
        if not isinstance(takes, int) or isinstance(takes, bool) or not 1 <= takes <= MAX_TAKES:
            raise TakeProblem(400, f"takes: must be between 1 and {MAX_TAKES}")
        result = Plan([copy.deepcopy(body) for _ in range(takes)], "takes")
    if not 1 <= len(result.bodies) <= MAX_TAKES:
        raise TakeProblem(400, f"takes: a batch holds between 1 and {MAX_TAKES} takes")
    return result


def check(bodies: Sequence[dict[str, Any]], source_seconds: float | None = None) -> list[Price]:
    """The price of each take, once the contract has accepted every one of them."""
    prices = []
    for index, body in enumerate(bodies):
        try:
            request = validate(body)
        except ContractError as err:
            raise TakeProblem(err.status, err.detail, index) from None
        prices.append(price_of(request, source_seconds=source_seconds))
    return prices
