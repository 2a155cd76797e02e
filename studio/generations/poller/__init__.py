"""The background poller: turns create-and-get into a dependable record.

``poll_once(config)`` is one pass (what tests and ``manage.py poll --once`` call);
``manage.py poll`` repeats it until SIGTERM/SIGINT.
"""

from __future__ import annotations

from studio.generations.poller.step import PassReport, PollerConfig, poll_once

__all__ = ["PassReport", "PollerConfig", "poll_once"]
