"""Words a person understands for the contract's complaints about a source."""

from __future__ import annotations

from studio.contract import ContractError, errors
from studio.contract.models import EDIT_SOURCE_MAX_SECONDS, REFRAME_SOURCE_MAX_SECONDS

# The contract's complaints about a source's length: (what the source is for, its limit).
_SOURCE_TOO_LONG = {
    errors.EDIT_SOURCE_TOO_LONG: ("edit", EDIT_SOURCE_MAX_SECONDS),
    errors.ours("reframe_source_too_long"): ("reframe", REFRAME_SOURCE_MAX_SECONDS),
}


def source_too_long(err: ContractError, seconds: float | None, subject: str) -> str | None:
    """ "That clip is 20.0 s long: …" for the contract's too-long complaint; None for any
    other complaint (or when the length is not known)."""
    if err.detail not in _SOURCE_TOO_LONG or seconds is None:
        return None
    purpose, limit = _SOURCE_TOO_LONG[err.detail]
    return f"{subject} is {seconds:.1f} s long: a {purpose} source can be at most {limit} s."
