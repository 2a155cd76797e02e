"""The loop of a long-running worker command: passes until SIGTERM/SIGINT.

A stop signal sets a flag: the pass in progress finishes, then the command exits and
puts the previous signal handlers back. Idle waits are short slices, so a stop is
noticed within a fraction of a second. A pass that raises is logged and followed by the
next after a short pause, so one bad pass (a database hiccup) cannot end the worker.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable
from types import FrameType

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from studio.workers.beat import Beater

IDLE_SLICE_S = 0.1
AFTER_FAILURE_S = 0.5


def make_owner() -> str:
    """A name unique to this worker instance (host, pid, random), within 64 characters:
    what a worker writes into the rows it claims."""
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class LoopCommand(BaseCommand):
    shutdown = False

    def loop(
        self, step: Callable[[], float], log: logging.Logger, beater: Beater | None = None
    ) -> None:
        """Run ``step`` until stopped; it returns how long to idle before the next pass.

        ``beater`` writes the worker's heartbeat after passes (every few seconds at most).
        """
        self.shutdown = False
        previous = {
            sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while not self.shutdown:
                try:
                    wait = step()
                except Exception:
                    log.exception("pass failed")
                    close_old_connections()
                    wait = AFTER_FAILURE_S
                if beater is not None:
                    try:
                        beater.beat()
                    except Exception:
                        # A missed beat shows as stale in /readyz; the work goes on.
                        log.exception("heartbeat failed")
                        close_old_connections()
                if wait > 0:
                    self.idle(wait)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.shutdown = True

    def idle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.shutdown and time.monotonic() < end:
            time.sleep(min(IDLE_SLICE_S, max(0.0, end - time.monotonic())))
