"""The price table in the shape the composer's script reads, computed by ``price_of``.

Every cell comes from the contract's own price function, so the live price beside the
submit button and the price recorded on the generation cannot disagree.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from studio.contract import DURATIONS, RESOLUTIONS, GenerationRequest, price_of
from studio.contract.models import (
    EDIT_SOURCE_MAX_SECONDS,
    REFRAME_SOURCE_MAX_SECONDS,
    ImageRef,
    VideoOptions,
)
from studio.contract.prices import EDIT_BUCKETS as EDIT_PRICES

_ANY = ImageRef(file_id="x")
_PRIOR = ImageRef(generation_id="x")
# One cell per edit bucket, keyed as static/composer/price.js chooses it: a source as
# long as each bucket's limit, one past the last (the longest source allowed), and one
# of unknown length.
EDIT_BUCKETS: dict[str, float | None] = {
    **{str(up_to): float(up_to) for up_to, _ in EDIT_PRICES},
    "long": float(EDIT_SOURCE_MAX_SECONDS),
    "none": None,
}


def _cell(request: GenerationRequest, seconds: float | None = None) -> list[Any]:
    price = price_of(request, source_seconds=seconds)
    return [str(price.amount), price.estimated]


@cache
def price_table() -> dict[str, list[Any]]:
    table: dict[str, list[Any]] = {}
    for res in RESOLUTIONS:
        for dur in DURATIONS:
            for hdr, exr in ((False, False), (True, False), (True, True)):
                video = VideoOptions(resolution=res, duration=dur, hdr=hdr, exr_export=exr)
                key = f"video|{res}|{dur}|{int(hdr)}|{int(exr)}"
                table[key] = _cell(GenerationRequest(prompt="p", video=video))
        extend = VideoOptions(resolution=res, start_frame=_PRIOR)
        table[f"extend|{res}"] = _cell(GenerationRequest(prompt="p", video=extend))
        for hdr, exr in ((False, False), (True, False), (True, True)):
            video = VideoOptions(resolution=res, hdr=hdr, exr_export=exr)
            edit = GenerationRequest(prompt="p", type="video_edit", source=_ANY, video=video)
            for bucket, seconds in EDIT_BUCKETS.items():
                table[f"edit|{res}|{int(hdr)}|{int(exr)}|{bucket}"] = _cell(edit, seconds)
        reframe = GenerationRequest(
            prompt="p", type="video_reframe", source=_ANY, video=VideoOptions(resolution=res)
        )
        table[f"reframe|{res}|none"] = _cell(reframe)
        for second in range(1, REFRAME_SOURCE_MAX_SECONDS + 1):
            table[f"reframe|{res}|{second}"] = _cell(reframe, float(second))
    return table
