"""`python manage.py runstudio [ADDR:PORT] [--only ROLE,...]`: the studio in one process tree.

Starts and supervises the web server, the sender, the poller, the notifier and the local
engine's render workers; where the web server is among them, it first applies migrations
and makes sure a first user can sign in. ``--only`` starts just the roles named (web,
sender, poller, notifier, engine): one role per machine in a deployment, all sharing one
database. Ctrl-C or SIGTERM stops them all: each child gets SIGTERM and time to finish
what it is doing. However this command itself ends (SIGKILL included), its children and
theirs end with it (``studio.lifeline``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from studio import lifeline
from studio.core.bootstrap import ensure_first_user

STOP_GRACE_SECONDS = 30
ROLES = ("web", "sender", "poller", "notifier", "engine")


def parse_roles(value: str) -> set[str]:
    """``--only``'s value: a comma-separated subset of ROLES."""
    roles = {part.strip().lower() for part in value.split(",") if part.strip()}
    unknown = sorted(roles - set(ROLES))
    if unknown or not roles:
        raise CommandError(
            f"--only takes one or more of {', '.join(ROLES)} (comma-separated), not {value!r}"
        )
    return roles


@dataclass
class Child:
    name: str
    argv: list[str]
    essential: bool  # if it dies, the studio stops (the web server); otherwise restarted
    role: str  # one of ROLES: what `--only` selects
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    restart_at: float | None = None  # when a child that exited is started again


def parse_addr(addrport: str) -> tuple[str, int]:
    host, sep, port = addrport.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", addrport
    try:
        number = int(port)
    except ValueError:
        raise CommandError(f"{addrport!r} is not ADDR:PORT or PORT") from None
    if not 0 < number < 65536:
        raise CommandError(f"port {number} is out of range")
    return host or "127.0.0.1", number


class Command(BaseCommand):
    help = "Run the studio: migrations, web server, sender, poller and local engine workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--web-threads", type=int, default=8)
        parser.add_argument(
            "--only",
            metavar="ROLE[,ROLE]",
            help=f"start only these roles ({', '.join(ROLES)}); for a deployment of one "
            "machine per role. Migrations run only where web is among them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = parse_addr(options["addrport"])
        roles = parse_roles(options["only"]) if options["only"] else set(ROLES)
        self.stopping = False
        if "web" in roles:
            # One role migrates: workers started beside several web servers must not race
            # each other to the schema (and their code expects the web's schema anyway).
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("Database is up to date.")

        env = self.child_env(host, port)
        if "web" in roles:
            self.announce(host, port, env)
        else:
            self.stdout.write(f"Starting {', '.join(r for r in ROLES if r in roles)}.")

        children = [c for c in self.children(host, port, options) if c.role in roles]
        if not children:
            # e.g. --only engine where the local engine is off (ENGINE_ENABLED=false).
            raise CommandError(f"Nothing to start for --only {options['only']}.")
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        try:
            for child in children:
                self.start(child, env)
            self.supervise(children, env)
        finally:
            self.stop_all(children)

    def children(self, host: str, port: int, options: dict[str, Any]) -> list[Child]:
        python = sys.executable
        manage = [python, "-m", "django"]
        children = [
            Child(
                "web",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "studio.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(options["web_workers"]),
                    "--threads",
                    str(options["web_threads"]),
                    "--worker-class",
                    "gthread",
                    "--timeout",
                    "120",
                    "--graceful-timeout",
                    str(STOP_GRACE_SECONDS - 5),
                    "--access-logfile",
                    "-",
                    # Its hooks tie each web worker's life to the master's.
                    "--config",
                    "python:studio.gunicorn_conf",
                    # Several studios (or test runs) on one machine must not share a socket.
                    "--no-control-socket",
                ],
                essential=True,
                role="web",
            )
        ]
        commands = get_commands()
        if "send" in commands:
            children.append(Child("sender", [*manage, "send"], essential=False, role="sender"))
        if "poll" in commands:
            children.append(Child("poller", [*manage, "poll"], essential=False, role="poller"))
        if "notify" in commands:
            children.append(
                Child("notifier", [*manage, "notify"], essential=False, role="notifier")
            )
        if settings.ENGINE_ENABLED and "engine_worker" in commands:
            for n in range(max(1, settings.ENGINE_WORKERS)):
                children.append(
                    Child(
                        f"engine-{n + 1}",
                        [*manage, "engine_worker"],
                        essential=False,
                        role="engine",
                    )
                )
        return children

    def child_env(self, host: str, port: int) -> dict[str, str]:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE", "studio.settings")
        env.setdefault("SITE_URL", f"http://{host}:{port}")
        if settings.ENGINE_ENABLED and not settings.LUMA_BASE_URL:
            env["LUMA_BASE_URL"] = f"http://{host}:{port}/v1"
        if settings.ENGINE_ENABLED and not settings.LUMA_AGENTS_API_KEY:
            from studio.engine.devkey import ensure_dev_key

            env["LUMA_AGENTS_API_KEY"] = ensure_dev_key()
        return env

    def announce(self, host: str, port: int, env: dict[str, str]) -> None:
        first = ensure_first_user()
        url = f"http://{host}:{port}/"
        lines = [f"The studio is starting at {url}"]
        if first is not None:
            lines.append(f"Sign in as {first.email}")
            if first.password:
                lines.append(f"  password (shown once; change it later): {first.password}")
            else:
                lines.append("  with the password from STUDIO_ADMIN_PASSWORD")
        if settings.ENGINE_ENABLED and not settings.LUMA_BASE_URL:
            lines.append(f"Generation API: the local engine at {env['LUMA_BASE_URL']}")
            if not settings.LUMA_AGENTS_API_KEY:
                key_file = settings.DATA_DIR / "engine-dev-key"
                lines.append(f"  its development key is in {key_file}")
        else:
            lines.append(f"Generation API: {env.get('LUMA_BASE_URL') or settings.LUMA_BASE_URL}")
        lines.append("Press Ctrl-C to stop.")
        width = max(len(line) for line in lines)
        self.stdout.write("-" * width)
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("-" * width)
        self.stdout.flush()

    def on_signal(self, signum: int, frame: object) -> None:
        self.stopping = True

    def start(self, child: Child, env: dict[str, str]) -> None:
        # Children ignore the terminal's Ctrl-C (own process group); the supervisor
        # forwards one SIGTERM to each so they can finish in-flight work. Through
        # lifeline, from this (the main) thread: if we die, so do they.
        child.process = subprocess.Popen(
            lifeline.command(child.argv), env=env, start_new_session=True
        )
        self.stdout.write(f"started {child.name} (pid {child.process.pid})")

    def supervise(self, children: list[Child], env: dict[str, str]) -> None:
        while not self.stopping:
            for child in children:
                if self.stopping:
                    break
                now = time.monotonic()
                if child.restart_at is not None:
                    # Waiting out its back-off without holding up the others.
                    if now >= child.restart_at:
                        child.restart_at = None
                        self.start(child, env)
                    continue
                assert child.process is not None
                code = child.process.poll()
                if code is None:
                    continue
                if child.essential:
                    self.stderr.write(f"{child.name} exited with status {code}; stopping.")
                    self.stopping = True
                    break
                child.restarts = [t for t in child.restarts if now - t < 60] + [now]
                if len(child.restarts) > 5:
                    self.stderr.write(f"{child.name} keeps failing (status {code}); stopping.")
                    self.stopping = True
                    break
                delay = min(2 ** len(child.restarts), 10)
                self.stderr.write(
                    f"{child.name} exited with status {code}; restarting it in {delay} s."
                )
                child.restart_at = now + delay
            time.sleep(0.5)

    def stop_all(self, children: list[Child]) -> None:
        running = [c for c in children if c.process is not None and c.process.poll() is None]
        if running:
            self.stdout.write("Stopping: letting work in progress finish…")
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{child.name} did not stop in time; killing it.")
                child.process.kill()
                child.process.wait()
        self.stdout.write("Stopped.")
