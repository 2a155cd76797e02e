"""`python manage.py send`: keep sending waiting generations; `--once` for one pass.

Like the poller: a stop signal lets the pass in progress finish, idle waits are short
slices, and one failing pass is logged and followed by the next.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from studio.generations.sender import SenderConfig, SendReport, reroute, send_once

log = logging.getLogger("studio.sender")

IDLE_SLICE_S = 0.1
IDLE_S = 0.5
# Waiting generations follow a change of their team's API (or the studio's) this often.
REROUTE_EVERY_S = 30.0


class Command(BaseCommand):
    help = "Send waiting generations to their generation API within each key's limits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single pass and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        config = SenderConfig.from_settings()
        if options["once"]:
            reroute()
            self.stdout.write(self.describe(send_once(config)))
            return
        self.shutdown = False
        previous = {
            sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        self.stdout.write(f"Sender {config.owner} started.")
        rerouted_at = 0.0
        try:
            while not self.shutdown:
                try:
                    if time.monotonic() - rerouted_at > REROUTE_EVERY_S:
                        reroute()
                        rerouted_at = time.monotonic()
                    report = send_once(config)
                except Exception:
                    log.exception("send pass failed")
                    close_old_connections()
                    self.idle(IDLE_S)
                    continue
                if report.worked:
                    log.info(self.describe(report))
                else:
                    self.idle(IDLE_S)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Sender stopped.")

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.shutdown = True

    def idle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.shutdown and time.monotonic() < end:
            time.sleep(min(IDLE_SLICE_S, max(0.0, end - time.monotonic())))

    @staticmethod
    def describe(report: SendReport) -> str:
        return (
            f"sent {report.sent}, rate limited {report.rate_limited}, refused "
            f"{report.refused}, uncertain {report.uncertain}, not sent {report.not_sent}, "
            f"uploaded {report.uploaded}, recovered {report.recovered}"
        )
