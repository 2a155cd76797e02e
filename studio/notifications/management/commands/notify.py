"""`python manage.py notify`: send notification emails and daily digests; `--once` for one pass.

Runs in ``studio.workers.loop`` like the sender and the poller: a stop signal lets the pass in
progress finish, and a failing pass is logged and followed by the next.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import CommandParser

from studio.notifications.delivery import DeliveryReport, deliver_once
from studio.workers.beat import Beater
from studio.workers.loop import LoopCommand, make_owner
from studio.workers.models import Role

log = logging.getLogger("studio.notifications")

IDLE_S = 2.0


class Command(LoopCommand):
    help = "Send notification emails and each person's daily digest, each once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single pass and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = make_owner()
        beater = Beater(Role.NOTIFIER)
        if options["once"]:
            report = deliver_once(owner)
            beater.beat(force=True)
            self.stdout.write(self.describe(report))
            return
        self.stdout.write(f"Notifier {owner} started.")

        def step() -> float:
            report = deliver_once(owner)
            if report.worked:
                log.info(self.describe(report))
                return 0.0
            return IDLE_S

        self.loop(step, log, beater)
        self.stdout.write("Notifier stopped.")

    @staticmethod
    def describe(report: DeliveryReport) -> str:
        return (
            f"digests {report.digests}, sent {report.sent}, to retry {report.retried}, "
            f"failed {report.failed}"
        )
