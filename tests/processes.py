"""Helpers for tests that run the studio's real processes: process trees, ports, waits.

A process is known by its pid and its start time (from /proc), so a pid reused by an
unrelated process is never mistaken for it; a zombie (dead, not yet reaped by whoever
inherited it) counts as gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
Proc = tuple[int, int]  # (pid, start time in clock ticks since boot)


@contextlib.contextmanager
def short_tempdir() -> Iterator[Path]:
    """A temp folder with a short path, for TMPDIR: a pytest tmp_path is too long for the
    Unix sockets multiprocessing keeps there (about 100 bytes at most)."""
    folder = Path(tempfile.mkdtemp(prefix="t", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def until[T](check: Callable[[], T], timeout: float, what: str, every: float = 0.1) -> T:
    """Poll ``check`` until it returns something true; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (in parentheses) may hold spaces; the fields after it do not.
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _snapshot() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time) of every live process."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[0] != "Z":
                found[int(entry)] = (stat[1], stat[2])
    return found


def descendants(pid: int, *, depth: int | None = None) -> dict[Proc, str]:
    """Every live process below ``pid`` (``depth`` 1: its children), with its command line."""
    snapshot = _snapshot()
    below: dict[int, list[int]] = {}
    for child, (parent, _) in snapshot.items():
        below.setdefault(parent, []).append(child)
    found: dict[Proc, str] = {}
    todo = [(child, 1) for child in below.get(pid, [])]
    while todo:
        child, level = todo.pop()
        found[(child, snapshot[child][1])] = cmdline(child)
        if depth is None or level < depth:
            todo.extend((grandchild, level + 1) for grandchild in below.get(child, []))
    return found


def alive(proc: Proc) -> bool:
    stat = _stat(proc[0])
    return stat is not None and stat[0] != "Z" and stat[2] == proc[1]


def start_of(pid: int) -> Proc:
    stat = _stat(pid)
    assert stat is not None, f"process {pid} is not running"
    return pid, stat[2]


def survivors(procs: Iterable[Proc], within: float) -> list[Proc]:
    """Those of ``procs`` still alive after ``within`` seconds (fewer as soon as they go)."""
    procs = list(procs)
    deadline = time.monotonic() + within
    while True:
        left = [p for p in procs if alive(p)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def kill_all(procs: Iterable[Proc]) -> None:
    """Clean-up after a failed test: SIGKILL what is left of ``procs``, by pid."""
    for proc in procs:
        if alive(proc):
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc[0], signal.SIGKILL)


def shared_database_url() -> str:
    """The database of the running test, as DATABASE_URL for a process started by it.

    Only a transactional test's rows are visible to such a process."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db.get('USER') or ''}{password}@{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"


def studio_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a studio of its own: a fresh data folder and SQLite in it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "LUMA_", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT"))
        and not k.startswith(("ENGINE_", "POLLER_"))
    }
    env.update(
        STUDIO_DATA_DIR=str(data_dir),
        STUDIO_ADMIN_EMAIL="first@example.com",
        STUDIO_ADMIN_PASSWORD="a long first password",
        **extra,
    )
    return env


def start_runstudio(
    port: int, env: dict[str, str], *args: str, log: Path | None = None
) -> subprocess.Popen[str]:
    """runstudio on ``port``; its output goes to ``log`` (appended) or a pipe."""
    argv = [sys.executable, "manage.py", "runstudio", f"127.0.0.1:{port}", *args]
    if log is None:
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    with open(log, "a") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )


def leftovers(*folders: Path) -> list[Path]:
    """Temporary things under ``folders``: whatever is dot-named or inside something that is.

    The engine's scratch root (``.scratch``) counts only when something is left in it.
    """
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            parts = path.relative_to(folder).parts
            if not any(part.startswith(".") for part in parts):
                continue
            if path.name == ".scratch" and path.is_dir() and not any(path.iterdir()):
                continue
            found.append(path)
    return sorted(found)
