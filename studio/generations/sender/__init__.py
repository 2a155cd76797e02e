"""The background sender: uploads inputs and sends creates within each key's limits.

``send_once(config)`` is one pass (what tests and ``manage.py send --once`` call);
``manage.py send`` repeats it until SIGTERM/SIGINT.
"""

from __future__ import annotations

from studio.generations.sender.step import SenderConfig, SendReport, reroute, send_once

__all__ = ["SendReport", "SenderConfig", "reroute", "send_once"]
