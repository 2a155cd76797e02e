"""A process lives no longer than the process it works for, and its temp folder neither.

Every process the studio starts ties itself to the one it works for, so that killing
the top of a tree (SIGKILL included, which no handler can act on) ends the whole tree:

- `die_with_parent(pid)`: the kernel sends this process SIGKILL when its parent dies
  (Linux ``PR_SET_PDEATHSIG``). Chosen over a child watching a pipe or polling
  ``getppid()`` because it needs no thread and no cooperation from the program: it acts
  while the process is busy in C code and it survives ``exec``, so ``command(argv)``
  ties any program (gunicorn, ffmpeg) to its parent before running it. Elsewhere than
  Linux, a process calling it gets a watching thread instead (see `exit_with`); a
  program run through ``command()`` is then not tied, as threads do not survive exec.
- `exit_with(pid)`: the same for a process that is not our parent: a pool worker forked
  by multiprocessing's fork server follows the engine worker that owns the pool (the
  fork server itself only exits once those workers are gone). A thread waits on a
  pidfd, which becomes readable when the process has exited.

The signal is SIGKILL rather than SIGTERM: an orphan has no one to report to, its work is
taken up again elsewhere under a lease, and what it leaves is swept by the next start.

`private_tempdir()` gives a long-running process a temp folder of its own (multiprocessing
keeps its fork server's socket there) and removes those of processes that died, however
they died: the owner holds a lock on its folder for as long as it lives, and the kernel
drops the lock when the process ends.

No Django here: ``python -I studio/lifeline.py PID -- ARGV`` runs before anything else.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NoReturn

PR_SET_PDEATHSIG = 1
POLL_S = 0.2
# Short: multiprocessing puts a socket two levels below, and socket paths are short.
TEMP_PREFIX = "studio-"
MARKER = ".owner-lock"
# Lock descriptors of this process's private temp folders: open until the process ends.
_held: list[int] = []


def _end() -> NoReturn:
    os.kill(os.getpid(), signal.SIGKILL)
    raise SystemExit(1)  # not reached


def _set_parent_death_signal(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int) -> None:
    """Make the kernel kill this process when its parent (``parent_pid``) dies."""
    if not _set_parent_death_signal(signal.SIGKILL):
        exit_with(parent_pid)
        return
    # A parent that died before the call above would go unnoticed: the process has been
    # handed to another already.
    if os.getppid() != parent_pid:
        _end()


def exit_with(pid: int) -> None:
    """End this process as soon as process ``pid`` has ended (a daemon thread watches)."""
    fd: int | None = None
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        _end()
    except (AttributeError, OSError):
        fd = None  # no pidfd here (not Linux, or an old kernel): poll instead
    threading.Thread(target=_watch, args=(pid, fd), name="lifeline", daemon=True).start()


def _watch(pid: int, fd: int | None) -> None:
    if fd is not None:
        select.select([fd], [], [])
        _end()
    while True:
        time.sleep(POLL_S)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            _end()
        except PermissionError:
            pass  # alive, and someone else's: cannot be ours any more, but it lives


def command(argv: list[str], parent_pid: int | None = None) -> list[str]:
    """``argv`` run so that it dies with ``parent_pid`` (this process by default).

    The kernel ties a child to the thread that forked it: start it from a thread that
    outlives the child (the main thread, or one that waits for the child to end).
    """
    parent = os.getpid() if parent_pid is None else parent_pid
    # -I: the wrapper reads no environment and imports nothing from the working folder;
    # the program it runs gets the environment unchanged.
    return [sys.executable, "-I", str(Path(__file__).resolve()), str(parent), "--", *argv]


def private_tempdir(prefix: str = TEMP_PREFIX) -> Path:
    """A temp folder of this process's own, used by `tempfile` from now on.

    Folders of processes that died are removed first. The folder itself is removed when
    the process exits normally, after multiprocessing has removed what it kept there.
    """
    from multiprocessing.util import Finalize

    base = Path(tempfile.gettempdir())
    sweep_tempdirs(base, prefix)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    _lock(fd, blocking=True)
    # Marked only once locked: a sweep judges marked folders alone, so it never takes a
    # folder whose owner is still on its way to the lock.
    (folder / MARKER).touch()
    _held.append(fd)
    tempfile.tempdir = str(folder)
    # After multiprocessing's own clean-up of the folder it made inside ours (-100).
    Finalize(
        None, shutil.rmtree, args=(str(folder),), kwargs={"ignore_errors": True}, exitpriority=-200
    )
    return folder


def sweep_tempdirs(base: Path, prefix: str = TEMP_PREFIX) -> int:
    """Remove the private temp folders under ``base`` whose owner has died."""
    removed = 0
    for folder in base.glob(f"{prefix}*"):
        if not (folder / MARKER).is_file():
            continue  # not one of ours, or its owner is about to lock it
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            if _lock(fd, blocking=False):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        finally:
            os.close(fd)
    return removed


def _lock(fd: int, *, blocking: bool) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def main(args: list[str]) -> NoReturn:
    """``PARENT_PID -- ARGV...``: tie this process to PARENT_PID, then become ARGV."""
    if len(args) < 3 or args[1] != "--":
        sys.exit("usage: lifeline.py PARENT_PID -- PROGRAM [ARGS...]")
    die_with_parent(int(args[0]))
    os.execvp(args[2], args[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
