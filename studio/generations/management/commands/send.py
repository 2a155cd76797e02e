"""`python manage.py send`: keep sending waiting generations; `--once` for one pass.

Like the poller, it runs in ``studio.workers.loop``: a stop signal lets the pass in progress
finish, and one failing pass is logged and followed by the next.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import CommandParser

from studio.generations.sender import SenderConfig, SendReport, reroute, send_once
from studio.workers.beat import Beater
from studio.workers.loop import LoopCommand
from studio.workers.models import Role

log = logging.getLogger("studio.sender")

IDLE_S = 0.5
# Waiting generations follow a change of their team's API (or the studio's) this often.
REROUTE_EVERY_S = 30.0


class Command(LoopCommand):
    help = "Send waiting generations to their generation API within each key's limits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single pass and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        config = SenderConfig.from_settings()
        beater = Beater(Role.SENDER)
        if options["once"]:
            reroute()
            report = send_once(config)
            beater.beat(force=True)
            self.stdout.write(self.describe(report))
            return
        self.stdout.write(f"Sender {config.owner} started.")
        rerouted_at = -REROUTE_EVERY_S

        def step() -> float:
            nonlocal rerouted_at
            if time.monotonic() - rerouted_at > REROUTE_EVERY_S:
                reroute()
                rerouted_at = time.monotonic()
            report = send_once(config)
            if report.worked:
                log.info(self.describe(report))
                return 0.0
            return IDLE_S

        self.loop(step, log, beater)
        self.stdout.write("Sender stopped.")

    @staticmethod
    def describe(report: SendReport) -> str:
        return (
            f"sent {report.sent}, rate limited {report.rate_limited}, refused "
            f"{report.refused}, uncertain {report.uncertain}, not sent {report.not_sent}, "
            f"uploaded {report.uploaded}, recovered {report.recovered}"
        )
