"""The time format of the studio's own JSON (its API and its exports).

ISO 8601 in UTC with a ``Z``, microseconds kept: finer than the generation API's
``studio.contract.wire_time``, so that records written in the same second still sort.
"""

from __future__ import annotations

import datetime as dt


def wire_time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (microseconds kept), or None."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
