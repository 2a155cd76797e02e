"""Words a person understands for the contract's complaints about a source."""

from __future__ import annotations

from studio.contract import ContractError
from studio.contract.rules import SOURCE_LIMITS

# The contract's complaints about a source's length: (what the source is for, its limit).
_SOURCE_TOO_LONG = {
    detail: (type_.removeprefix("video_"), limit)
    for type_, (limit, detail) in SOURCE_LIMITS.items()
}


def source_too_long(err: ContractError, seconds: float | None, subject: str) -> str | None:
    """ "That clip is 20.0 s long: …" for the contract's too-long complaint; None for any
    other complaint (or when the length is not known)."""
    if err.detail not in _SOURCE_TOO_LONG or seconds is None:
        return None
    purpose, limit = _SOURCE_TOO_LONG[err.detail]
    return f"{subject} is {seconds:.1f} s long: a {purpose} source can be at most {limit} s."
