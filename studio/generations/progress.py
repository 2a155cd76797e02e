"""How far along a generation is: elapsed time, the expected total, what a failure means.

The expected time comes from the studio's own history: the median time-to-complete of
finished generations of the same shape (wire type, resolution, duration, HDR). Nothing
here ever turns a slow generation into a failure; past its expected time it is only
shown as overdue.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from studio.contract.grid import duration_seconds
from studio.contract.models import DEFAULT_DURATION, DURATIONS, RESOLUTIONS
from studio.generations.models import Generation, GenerationState, Output

Shape = tuple[str, str, str, bool]

# Without history: the real service finishes a 5 s 720p clip in about a minute or two, and
# 10 s 1080p HDR several times longer. Seconds for the default shape (5 s 720p SDR), then
# multipliers: by resolution, smallest first, and in proportion to the duration.
BASE_SECONDS = 75.0
RESOLUTION_FACTOR = dict(zip(RESOLUTIONS, (0.5, 0.75, 1.0, 2.0), strict=True))
DURATION_FACTOR = {
    duration: duration_seconds(duration) / duration_seconds(DEFAULT_DURATION)
    for duration in DURATIONS
}
HDR_FACTOR = 1.5
KIND_FACTOR = {"video": 1.0, "video_edit": 1.3, "video_reframe": 1.2}

# Fewer finished samples than this and the defaults above are used instead.
MIN_SAMPLES = 3
# Only recent history counts: the service (or the local engine) changes speed over time.
HISTORY_PER_SHAPE = 50
HISTORY_ROWS = 2000

# Until a generation is done its bar never shows full.
MAX_FRACTION_IN_FLIGHT = 0.99

FAILURE_ADVICE: dict[str, dict[str, str]] = {
    "generation_failed": {"label": "Try again with the same settings", "kind": "retry"},
    "output_not_found": {"label": "Try again with the same settings", "kind": "retry"},
    "rate_limited": {"label": "Try again with the same settings", "kind": "retry"},
    "content_moderated": {"label": "Edit the prompt and try again", "kind": "edit_prompt"},
    "budget_exhausted": {"label": "Add funds, then try again", "kind": "funds"},
    "image_too_large": {"label": "Use smaller images and try again", "kind": "edit_prompt"},
    "unsupported_format": {"label": "Use another file format and try again", "kind": "edit_prompt"},
    "corrupt_input": {"label": "Replace the damaged input and try again", "kind": "edit_prompt"},
    "invalid_request": {"label": "Change the settings and try again", "kind": "edit_prompt"},
}


def failure_advice(code: str | None) -> dict[str, str]:
    """What to offer a person for a failure code: ``{"label", "kind"}``.

    ``kind`` is ``retry`` (same parameters), ``edit_prompt`` (open the composer),
    ``funds`` (the team's budget or the account's balance) or ``none``.
    """
    return dict(FAILURE_ADVICE.get(code or "", {"label": "", "kind": "none"}))


def shape_of(generation: Generation) -> Shape:
    return (generation.kind, generation.resolution, generation.duration, bool(generation.hdr))


def default_seconds(shape: Shape) -> float:
    kind, resolution, duration, hdr = shape
    seconds = BASE_SECONDS * RESOLUTION_FACTOR.get(resolution, 1.0)
    seconds *= DURATION_FACTOR.get(duration, 1.0) * KIND_FACTOR.get(kind, 1.0)
    return seconds * (HDR_FACTOR if hdr else 1.0)


class ExpectedTimes:
    """Median time-to-complete per shape, loaded with one query and kept for a pass."""

    def __init__(self, samples: dict[Shape, list[float]] | None = None) -> None:
        self._medians = {
            shape: statistics.median(values)
            for shape, values in (samples or {}).items()
            if len(values) >= MIN_SAMPLES
        }

    @classmethod
    def load(cls, shapes: Iterable[Shape] | None = None) -> ExpectedTimes:
        rows = Generation.objects.filter(
            state=GenerationState.COMPLETED,
            submitted_at__isnull=False,
            finished_at__isnull=False,
        )
        if shapes is not None:
            shapes = set(shapes)
            if len(shapes) == 1:
                kind, resolution, duration, hdr = next(iter(shapes))
                rows = rows.filter(kind=kind, resolution=resolution, duration=duration, hdr=hdr)
        samples: dict[Shape, list[float]] = defaultdict(list)
        columns = ("kind", "resolution", "duration", "hdr", "submitted_at", "finished_at")
        for kind, resolution, duration, hdr, submitted, finished in rows.order_by(
            "-finished_at"
        ).values_list(*columns)[:HISTORY_ROWS]:
            values = samples[(kind, resolution, duration, bool(hdr))]
            if len(values) < HISTORY_PER_SHAPE:
                values.append(max(0.0, (finished - submitted).total_seconds()))
        return cls(samples)

    def seconds(self, shape: Shape) -> float:
        return self._medians.get(shape) or default_seconds(shape)

    def for_generation(self, generation: Generation) -> float:
        return self.seconds(shape_of(generation))


def expected_seconds(generation: Generation, times: ExpectedTimes | None = None) -> float:
    """The expected submit-to-complete time of `generation` (one query without `times`)."""
    if times is None:
        times = ExpectedTimes.load([shape_of(generation)])
    return times.for_generation(generation)


def started_at(generation: Generation) -> dt.datetime:
    return generation.submitted_at or generation.created_at


def elapsed_seconds(generation: Generation, now: dt.datetime | None = None) -> float:
    end = generation.finished_at if generation.finished_at else (now or timezone.now())
    return max(0.0, (end - started_at(generation)).total_seconds())


def progress_of(
    generation: Generation,
    times: ExpectedTimes | None = None,
    now: dt.datetime | None = None,
    poster_url: str | None = None,
) -> dict[str, Any]:
    """Everything a progress bar needs, as plain JSON-able values.

    ``poster_url`` may be passed by a caller that loaded the posters in bulk; otherwise
    it is looked up (one query) once the outputs are ready.
    """
    now = now or timezone.now()
    expected = expected_seconds(generation, times)
    elapsed = elapsed_seconds(generation, now)
    state = generation.state
    done = state == GenerationState.COMPLETED and generation.outputs_ready
    unsent = state in Generation.UNSENT
    in_flight = (
        unsent
        or state in Generation.IN_FLIGHT
        or (state == GenerationState.COMPLETED and not generation.outputs_ready)
    )
    if unsent:
        # Time at the API only starts once it is sent; until then the reason says why.
        elapsed = 0.0
    if done:
        fraction = 1.0
    elif in_flight and not unsent:
        fraction = min(MAX_FRACTION_IN_FLIGHT, elapsed / expected if expected > 0 else 0.0)
    else:
        fraction = 0.0
    overdue = in_flight and elapsed > expected
    if poster_url is None and generation.outputs_ready:
        poster_url = poster_url_of(generation)
    failed = state == GenerationState.FAILED
    return {
        "id": str(generation.id),
        "state": state,
        "state_label": state_label(generation),
        "in_flight": in_flight,
        "elapsed_s": round(elapsed, 1),
        "expected_s": round(expected, 1),
        "remaining_s": round(max(0.0, expected - elapsed), 1) if in_flight else 0.0,
        "fraction": round(fraction, 4),
        "overdue": overdue,
        "outputs_ready": bool(generation.outputs_ready),
        "poster_url": poster_url or None,
        "failure": (
            {
                "code": generation.failure_code,
                "reason": generation.failure_reason,
                **failure_advice(generation.failure_code),
            }
            if failed
            else None
        ),
        "error": generation.error_detail or None,
        "waiting_reason": waiting_reason(generation, now),
    }


def _in(seconds: float) -> str:
    seconds = max(1, round(seconds))
    return f"~{seconds} s" if seconds < 120 else f"~{round(seconds / 60)} min"


def waiting_reason(generation: Generation, now: dt.datetime | None = None) -> str | None:
    """Why a generation that is not sent yet still waits, and how far it got (or None)."""
    now = now or timezone.now()
    state = generation.state
    if state == GenerationState.UPLOADING:
        return f"uploading inputs: {generation.uploads_done} of {generation.uploads_total}"
    if state == GenerationState.SENDING:
        return "sending to the generation API"
    if state != GenerationState.WAITING:
        return None
    if generation.team.queue_paused:
        return "waiting: an owner paused the team's queue"
    if generation.not_before and generation.not_before > now:
        wait = (generation.not_before - now).total_seconds()
        return f"waiting: the generation API could not be reached; next try in {_in(wait)}"
    governor = generation.governor
    if governor is None:
        return "waiting: no generation API is configured for its team"
    if not generation.inputs_ready:
        return "waiting to upload its inputs"
    parts = []
    if governor.running >= governor.max_concurrent:
        parts.append(
            f"waiting: {governor.running} of {governor.max_concurrent} jobs running on this API key"
        )
    blocked = governor.blocked_until and governor.blocked_until > now
    next_slot = max(
        (t for t in (governor.next_slot_at, governor.blocked_until) if t and t > now),
        default=None,
    )
    if next_slot is not None:
        if not parts:
            parts.append(
                "waiting: the API asked the studio to wait"
                if blocked
                else f"waiting: {governor.rpm_limit} creates a minute on this API key"
            )
        parts.append(f"next slot in {_in((next_slot - now).total_seconds())}")
    return ", ".join(parts) if parts else "waiting for its turn to be sent"


def state_label(generation: Generation) -> str:
    if generation.state == GenerationState.COMPLETED and not generation.outputs_ready:
        return "Saving outputs"
    return str(GenerationState(generation.state).label)


def poster_url_of(generation: Generation) -> str | None:
    name = (
        Output.objects.filter(generation=generation, kind=Output.Kind.POSTER)
        .values_list("file", flat=True)
        .first()
    )
    return media_url(name) if name else None


def media_url(name: str) -> str:
    return reverse("generations:media", args=[name])
