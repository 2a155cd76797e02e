"""runstudio, as a person starts it: a fresh data folder, one command, Ctrl-C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from studio.core.management.commands.runstudio import parse_addr
from tests.processes import (
    ROOT,
    descendants,
    free_port,
    kill_all,
    start_runstudio,
    studio_env,
    survivors,
    until,
    wait_for,
)

# A small HDR + EXR render: long enough to catch the engine worker with its EXR pool.
HDR_EXR_BODY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "a lighthouse at dusk",
    "aspect_ratio": "1:1",
    "video": {"resolution": "720p", "duration": "5s", "hdr": True, "exr_export": True},
}


def test_parse_addr() -> None:
    assert parse_addr("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert parse_addr("9000") == ("127.0.0.1", 9000)
    assert parse_addr("0.0.0.0:8080") == ("0.0.0.0", 8080)


def test_runstudio_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "LUMA_", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        STUDIO_DATA_DIR=str(tmp_path),
        STUDIO_ADMIN_EMAIL="first@example.com",
        STUDIO_ADMIN_PASSWORD="a long first password",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runstudio", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        signin = wait_for(f"{base}/accounts/signin/")
        assert signin.status_code == 200

        with httpx.Client(base_url=base, timeout=10) as browser:
            browser.get("/accounts/signin/")
            token = browser.cookies["csrftoken"]
            answer = browser.post(
                "/accounts/signin/",
                data={
                    "username": "first@example.com",
                    "password": "a long first password",
                    "csrfmiddlewaretoken": token,
                },
            )
            assert answer.status_code == 302
            home = browser.get("/")
            assert home.status_code == 200 and "first@example.com" in home.text

        # The local engine answers on the same address with the development key.
        key = (tmp_path / "engine-dev-key").read_text().strip()
        assert key.startswith("luma-api-")
        created = httpx.post(
            f"{base}/v1/generations",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "model": "ray-3.2",
                "type": "video",
                "prompt": "dawn",
                "video": {"resolution": "360p"},
            },
            timeout=10,
        )
        assert created.status_code == 201, created.text
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=45)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"runstudio did not stop on SIGTERM:\n{output}")
    assert process.returncode == 0, output
    assert "Sign in as first@example.com" in output
    assert "started poller" in output and "started engine-1" in output
    assert "started notifier" in output
    assert output.rstrip().endswith("Stopped.")


def test_every_descendant_dies_with_runstudio_however_it_dies(tmp_path: Path) -> None:
    """SIGKILL leaves runstudio no moment to stop anything: its whole tree must follow it
    on its own (web master and workers, sender, poller, engine worker and its EXR pool)."""
    port = free_port()
    process = start_runstudio(port, studio_env(tmp_path), "--web-workers", "2")
    seen: dict = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/accounts/signin/")
        key = (tmp_path / "engine-dev-key").read_text().strip()
        created = httpx.post(
            f"{base}/v1/generations",
            headers={"Authorization": f"Bearer {key}"},
            json=HDR_EXR_BODY,
            timeout=10,
        )
        assert created.status_code == 201, created.text

        def rendering() -> dict:
            tree = descendants(process.pid)
            commands = list(tree.values())
            # The fork server and at least one pool worker it forked (same command line),
            # and the web server's master with its two workers.
            pool = sum("multiprocessing.forkserver" in cmd for cmd in commands) >= 2
            web = sum("gunicorn" in cmd for cmd in commands) >= 3
            return tree if pool and web else {}

        seen = until(rendering, timeout=120, what="the engine worker's EXR pool")
        commands = " ".join(seen.values())
        for part in ("gunicorn", "django send", "django poll", "django engine_worker"):
            assert part in commands

        process.kill()
        process.wait()
        left = survivors(seen, within=5)
        assert not left, [seen[p] for p in left]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        kill_all(seen)


def test_only_poller_starts_the_poller_alone_and_migrates_nothing(tmp_path: Path) -> None:
    """One role per machine: `--only poller` runs a poller, and no web server, sender,
    notifier or engine worker; the schema is the web role's to apply."""
    env = studio_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    process = start_runstudio(port, env, "--only", "poller")
    seen: dict = {}
    try:

        def poller_beating() -> bool:
            with sqlite3.connect(tmp_path / "studio.sqlite3") as db:
                rows = db.execute("SELECT role FROM health_heartbeat").fetchall()
            return rows == [("poller",)]

        until(poller_beating, timeout=60, what="the poller's heartbeat")
        seen = descendants(process.pid, depth=1)
        assert len(seen) == 1, seen
        assert " -m django poll" in next(iter(seen.values()))
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=45)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"runstudio did not stop on SIGTERM:\n{output}")
        kill_all(seen)
    assert process.returncode == 0, output
    assert "started poller" in output
    for other in ("web", "sender", "notifier", "engine-1"):
        assert f"started {other} " not in output
    assert "Database is up to date." not in output
    assert output.rstrip().endswith("Stopped.")


@pytest.mark.parametrize("only", ["bogus", "web,bogus", ","])
def test_only_refuses_unknown_roles(tmp_path: Path, only: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "runstudio", "--only", only],
        cwd=ROOT,
        env=studio_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "--only takes one or more of web, sender, poller, notifier, engine" in done.stderr
