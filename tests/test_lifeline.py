"""studio.lifeline with real processes: ties that hold whatever kills the process above."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from studio import lifeline
from tests.processes import ROOT, kill_all, start_of, survivors

# A parent that starts one child through lifeline.command, says both pids, then waits.
PARENT = """
import subprocess, sys, time
from studio import lifeline
child = subprocess.Popen(lifeline.command([sys.executable, "-c", "import time; time.sleep(120)"]))
print(child.pid, flush=True)
time.sleep(120)
"""

# Follows the process whose pid it is given (not its parent), then waits.
FOLLOWER = """
import sys, time
from studio import lifeline
lifeline.exit_with(int(sys.argv[1]))
print("ready", flush=True)
time.sleep(120)
"""

# Takes a private temp folder, says where, then waits.
OWNER = """
from studio import lifeline
print(lifeline.private_tempdir(), flush=True)
import time; time.sleep(120)
"""


def python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_child_started_through_lifeline_dies_with_its_killed_parent() -> None:
    parent = python(PARENT)
    child = None
    try:
        assert parent.stdout is not None
        child = start_of(int(parent.stdout.readline()))
        parent.kill()
        parent.wait()
        assert survivors([child], within=5) == []
    finally:
        parent.kill()
        parent.wait()
        kill_all([child] if child else [])


def test_the_wrapper_refuses_a_parent_that_is_already_gone() -> None:
    # A pid that is not our parent stands for one that died before the tie was made.
    done = subprocess.run(
        lifeline.command(["true"], parent_pid=os.getpid() + 10**6), timeout=30, check=False
    )
    assert done.returncode != 0


def test_a_process_follows_one_that_is_not_its_parent() -> None:
    followed = python("import time; time.sleep(120)")
    follower = python(FOLLOWER, str(followed.pid))
    try:
        assert follower.stdout is not None and follower.stdout.readline().strip() == "ready"
        watcher = start_of(follower.pid)
        followed.kill()
        followed.wait()
        assert survivors([watcher], within=5) == []
    finally:
        for process in (followed, follower):
            process.kill()
            process.wait()


def test_a_dead_owners_temp_folder_is_swept_and_a_live_ones_kept(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    owners = [python(OWNER, env=env) for _ in range(2)]
    stranger = tmp_path / f"{lifeline.TEMP_PREFIX}not-ours"
    stranger.mkdir()
    try:
        folders = []
        for owner in owners:
            assert owner.stdout is not None
            folders.append(Path(owner.stdout.readline().strip()))
        assert all(folder.parent == tmp_path and folder.is_dir() for folder in folders)
        (folders[0] / "half-written").write_bytes(b"x" * 1000)
        assert lifeline.sweep_tempdirs(tmp_path) == 0

        owners[0].kill()
        owners[0].wait()
        assert lifeline.sweep_tempdirs(tmp_path) == 1
        assert not folders[0].exists() and folders[1].is_dir()
        # A folder without the owner's mark is not one of ours: left alone.
        assert stranger.is_dir()
    finally:
        for owner in owners:
            owner.kill()
            owner.wait()


def test_a_temp_folder_goes_with_a_normal_exit_after_multiprocessing_s_own(
    tmp_path: Path,
) -> None:
    code = (
        "from multiprocessing.util import get_temp_dir\n"
        "from studio import lifeline\n"
        "print(lifeline.private_tempdir())\n"
        "print(get_temp_dir())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    ours, theirs = (Path(line) for line in done.stdout.split())
    assert theirs.parent == ours
    assert list(tmp_path.iterdir()) == []
    assert done.stderr == ""
