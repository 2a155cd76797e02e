"""`python manage.py poll`: keep polling until SIGTERM/SIGINT; `--once` for one pass.

A stop signal sets a flag: the pass in progress finishes (its downloads included, and
its leases are released), then the command exits. Idle waits are short slices so a
stop is noticed within a fraction of a second.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from studio.generations.poller import PollerConfig, poll_once
from studio.generations.poller.step import seconds_until_due

log = logging.getLogger("studio.poller")

IDLE_SLICE_S = 0.1
# Rows due but leased elsewhere look due at once: never spin faster than this.
MIN_IDLE_S = 0.1
MAX_IDLE_S = 0.5


class Command(BaseCommand):
    help = "Poll submitted generations, record their progress and keep their outputs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single pass and exit")
        parser.add_argument("--batch", type=int, help="rows claimed per pass (POLLER_BATCH)")
        parser.add_argument(
            "--concurrency", type=int, help="requests in flight (POLLER_CONCURRENCY)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {name: options[name] for name in ("batch", "concurrency") if options.get(name)}
        config = PollerConfig.from_settings(**overrides)
        if options["once"]:
            report = poll_once(config)
            self.stdout.write(self.describe(report))
            return
        self.shutdown = False
        previous = {
            sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        self.stdout.write(f"Poller {config.owner} started.")
        try:
            while not self.shutdown:
                try:
                    report = poll_once(config)
                except Exception:
                    # One bad pass (database hiccup...) must not end the poller.
                    log.exception("poll pass failed")
                    close_old_connections()
                    self.idle(MAX_IDLE_S)
                    continue
                if report.claimed:
                    log.info(self.describe(report))
                if report.claimed < config.batch:
                    wait = seconds_until_due()
                    wait = MAX_IDLE_S if wait is None else wait
                    self.idle(max(MIN_IDLE_S, min(MAX_IDLE_S, wait)))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Poller stopped.")

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.shutdown = True

    def idle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.shutdown and time.monotonic() < end:
            time.sleep(min(IDLE_SLICE_S, max(0.0, end - time.monotonic())))

    @staticmethod
    def describe(report: Any) -> str:
        return (
            f"claimed {report.claimed}, polled {report.polled}, errors {report.errors}, "
            f"downloaded {report.downloaded}, download failures {report.failed_downloads}"
        )
