"""Gunicorn hooks for the web server `runstudio` starts (``--config python:studio.gunicorn_conf``).

Only names gunicorn knows as settings are read from this module.
"""

from __future__ import annotations

from typing import Any

from studio import lifeline


def post_fork(server: Any, worker: Any) -> None:
    # A worker outlives a killed master otherwise: it notices only between requests and
    # then waits out the graceful timeout for the ones in flight.
    lifeline.die_with_parent(worker.ppid)
