"""`python manage.py poll`: keep polling until SIGTERM/SIGINT; `--once` for one pass.

A stop signal lets the pass in progress finish (its downloads included, and its leases
are released), then the command exits (``studio.workers.loop``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandParser

from studio.generations import housekeeping
from studio.generations.poller import PollerConfig, poll_once
from studio.generations.poller.step import PassReport, seconds_until_due
from studio.workers.beat import Beater
from studio.workers.loop import LoopCommand
from studio.workers.models import Role

log = logging.getLogger("studio.poller")

# Rows due but leased elsewhere look due at once: never spin faster than this.
MIN_IDLE_S = 0.1
MAX_IDLE_S = 0.5


class Command(LoopCommand):
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
        beater = Beater(Role.POLLER)
        if options["once"]:
            report = self.measured(poll_once, config, beater)
            beater.beat(force=True)
            self.stdout.write(self.describe(report))
            return
        self.stdout.write(f"Poller {config.owner} started.")

        def step() -> float:
            # The trash's purge and retention: cheap unless due, one poller at a time.
            chores = housekeeping.run_due(config.owner)
            if chores:
                log.info("housekeeping: %s", chores)
            report = self.measured(poll_once, config, beater)
            if report.claimed:
                log.info(self.describe(report))
            if report.claimed >= config.batch:
                return 0.0  # more is due: straight on
            wait = seconds_until_due()
            return max(MIN_IDLE_S, min(MAX_IDLE_S, MAX_IDLE_S if wait is None else wait))

        self.loop(step, log, beater)
        self.stdout.write("Poller stopped.")

    @staticmethod
    def measured(
        poll: Callable[[PollerConfig], PassReport], config: PollerConfig, beater: Beater
    ) -> PassReport:
        """One pass, its duration, GET errors and downloads added to the heartbeat's stats."""
        started = time.perf_counter()
        report = poll(config)
        beater.observe("poll_pass", time.perf_counter() - started)
        beater.count("get_errors", report.get_errors)
        fetched = report.downloaded + report.failed_downloads
        if fetched:
            # Downloads of a pass run side by side: each is charged the phase's time
            # shared out, which keeps the sum honest and the mean close.
            beater.observe("download", report.timings.get("download", 0.0), fetched)
        return report

    @staticmethod
    def describe(report: Any) -> str:
        return (
            f"claimed {report.claimed}, polled {report.polled}, errors {report.errors}, "
            f"downloaded {report.downloaded}, download failures {report.failed_downloads}"
        )
