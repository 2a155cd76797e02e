"""`python manage.py engine_worker [--once]`: render queued generations.

Renders the other queues apps register (studio.engine.turns: the composer's previews)
too, taking turns with generations, and runs their sweeps once a minute. Runs until
SIGTERM/SIGINT. A signal during a render stops it at the next frame and puts the job back in the queue for the
next worker (nothing half-written is published). Several workers may run at once: each job is claimed by exactly one.

At start it sweeps what killed workers left: render scratch folders no live lease owns
(studio.engine.scratch) and the private temp folders of dead processes, then takes a
temp folder of its own (studio.lifeline).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from studio import lifeline
from studio.engine import scratch, turns
from studio.engine.jobs import process_one
from studio.workers.beat import Beater
from studio.workers.models import Role

log = logging.getLogger("studio.engine")

IDLE_SLEEP_SECONDS = 1.0
# Previews are kept a day: a sweep a minute removes them close enough to that.
SWEEP_SECONDS = 60.0
SLICE_SECONDS = 0.1


class Command(BaseCommand):
    help = "Render the local engine's queued generations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Process what is queued now, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.shutdown = False
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        worker = f"{socket.gethostname()}:{os.getpid()}"
        if not options["once"]:
            # multiprocessing keeps its fork server's socket in the temp folder: one of
            # our own is removed after us however we end (if killed, by the next start).
            lifeline.private_tempdir()
        scratch.sweep()
        self.next_sweep = 0.0
        beater = Beater(Role.ENGINE)
        done = 0
        while not self.shutdown:
            close_old_connections()
            found = process_one(worker, stop=lambda: self.shutdown)
            done += int(found)
            # Other queues take turns with generations: no kind can starve another.
            for turn in turns.registered():
                found = turn.step(worker, lambda: self.shutdown) or found
            self.sweep()
            self.beat(beater, force=bool(options["once"]) and not found)
            if found:
                continue
            if options["once"]:
                break
            self.idle()
        close_old_connections()
        if options["once"]:
            self.stdout.write(f"Rendered {done} generation(s).")

    def sweep(self) -> None:
        if time.monotonic() < self.next_sweep:
            return
        self.next_sweep = time.monotonic() + SWEEP_SECONDS
        for turn in turns.registered():
            if turn.sweep is None:
                continue
            try:
                turn.sweep()
            except Exception:
                log.exception("engine: sweeping %s failed", turn.name)

    @staticmethod
    def beat(beater: Beater, *, force: bool) -> None:
        try:
            beater.beat(force=force)
        except Exception:
            # A missed beat shows as stale in /readyz; rendering goes on.
            log.exception("engine: heartbeat failed")
            close_old_connections()

    def idle(self) -> None:
        # Short slices so a signal is acted on promptly.
        deadline = time.monotonic() + IDLE_SLEEP_SECONDS
        while not self.shutdown and time.monotonic() < deadline:
            time.sleep(SLICE_SECONDS)

    def on_signal(self, signum: int, frame: object) -> None:
        self.shutdown = True
