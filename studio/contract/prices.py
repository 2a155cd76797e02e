"""What a successful generation costs, in USD (contract §6).

``price_of`` is the charge for a generation that completes: failed and moderated
generations are refunded, so callers show it as "up to" until the outcome is known.
Cells the contract does not publish are estimated with the contract's own multipliers
and come back with ``estimated=True``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from .models import GenerationRequest
from .rules import validate

CENT: Final = Decimal("0.01")

SDR: Final[dict[str, dict[str, Decimal]]] = {
    "5s": {
        "360p": Decimal("0.06"),
        "540p": Decimal("0.15"),
        "720p": Decimal("0.30"),
        "1080p": Decimal("1.20"),
    },
    "10s": {
        "360p": Decimal("0.18"),
        "540p": Decimal("0.45"),
        "720p": Decimal("0.90"),
        "1080p": Decimal("3.60"),
    },
}
HDR_MULTIPLIER: Final = Decimal(2)
HDR_EXR_MULTIPLIER: Final = Decimal(3)
# Published HDR cells: 5 s at 720p and 1080p only.
HDR_PUBLISHED: Final = frozenset({("5s", "720p"), ("5s", "1080p")})
# Extend is one 5 s SDR block; 360p has no published price.
EXTEND_PUBLISHED: Final = frozenset({"540p", "720p", "1080p"})
EDIT_UP_TO_5S: Final[dict[str, Decimal]] = {
    "360p": Decimal("0.54"),
    "540p": Decimal("0.72"),
    "720p": Decimal("1.08"),
    "1080p": Decimal("2.16"),
}
EDIT_UP_TO_10S: Final[dict[str, Decimal]] = {
    "360p": Decimal("1.08"),
    "540p": Decimal("1.44"),
    "720p": Decimal("2.16"),
    "1080p": Decimal("4.32"),
}
REFRAME_PER_SECOND: Final[dict[str, Decimal]] = {
    "360p": Decimal("0.03"),
    "540p": Decimal("0.06"),
    "720p": Decimal("0.12"),
    "1080p": Decimal("0.36"),
}
# An edit is billed by its source's length: the first bucket it fits in.
EDIT_BUCKETS: Final[tuple[tuple[int, dict[str, Decimal]], ...]] = (
    (5, EDIT_UP_TO_5S),
    (10, EDIT_UP_TO_10S),
)
# Assumed when the source length is not known yet (e.g. an uploaded file).
ASSUMED_SOURCE_SECONDS: Final = 5
# A length on the frame grid can come out a hair over a whole second (5.0000000001 s):
# that is still 5 s, not a started sixth.
SECOND_TOLERANCE: Final = 1e-9


@dataclass(frozen=True)
class Price:
    amount: Decimal
    estimated: bool

    def __str__(self) -> str:
        prefix = "≈ " if self.estimated else ""
        return f"{prefix}${self.amount}"


def _price(amount: Decimal, estimated: bool) -> Price:
    return Price(amount.quantize(CENT), estimated)


def price_of(request: GenerationRequest | dict, *, source_seconds: float | None = None) -> Price:
    """The charge for this request if it completes.

    A dict is validated first (``ContractError`` when it breaks the contract).
    ``source_seconds`` is the edit or reframe source's length; without it an edit is
    priced as a source of up to 5 s and a reframe as 5 s of output, both estimated.
    """
    if not isinstance(request, GenerationRequest):
        request = validate(request)
    video = request.options
    resolution = video.effective_resolution
    multiplier = Decimal(1)
    if video.hdr:
        multiplier = HDR_EXR_MULTIPLIER if video.exr_export else HDR_MULTIPLIER
    if request.type == "video_reframe":
        return _reframe(resolution, source_seconds)
    if request.type == "video_edit":
        return _edit(resolution, source_seconds, multiplier)
    extend = any(
        ref is not None and ref.generation_id is not None
        for ref in (video.start_frame, video.end_frame)
    )
    if extend:
        return _price(SDR["5s"][resolution], resolution not in EXTEND_PUBLISHED)
    duration = video.effective_duration
    base = SDR[duration][resolution]
    if multiplier == 1:
        return _price(base, False)
    return _price(base * multiplier, (duration, resolution) not in HDR_PUBLISHED)


def _edit(resolution: str, seconds: float | None, multiplier: Decimal) -> Price:
    estimated = seconds is None or multiplier != 1
    bucket = edit_bucket(seconds)
    if bucket is None:
        # Unpublished: a longer source doubles again, as 5 s → 10 s does.
        base = EDIT_BUCKETS[-1][1][resolution] * 2
        estimated = True
    else:
        base = bucket[resolution]
    return _price(base * multiplier, estimated)


def edit_bucket(seconds: float | None) -> dict[str, Decimal] | None:
    """The published edit prices for a source this long; None past the last bucket.
    An unknown length is priced as the first bucket."""
    if seconds is None:
        return EDIT_BUCKETS[0][1]
    for up_to, prices in EDIT_BUCKETS:
        if seconds <= up_to:
            return prices
    return None


def reframe_billed_seconds(seconds: float) -> int:
    """Whole seconds a reframe of a source this long is billed for (at least one)."""
    return max(1, math.ceil(seconds - SECOND_TOLERANCE))


def _reframe(resolution: str, seconds: float | None) -> Price:
    # Billed per started second of output (ours); the output is as long as the source.
    if seconds is None:
        return _price(REFRAME_PER_SECOND[resolution] * ASSUMED_SOURCE_SECONDS, True)
    billed = reframe_billed_seconds(seconds)
    return _price(REFRAME_PER_SECOND[resolution] * billed, False)
