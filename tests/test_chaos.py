"""Chaos: the studio's real processes killed with SIGKILL at random moments, then restarted.

`runstudio` runs the whole studio (web server, sender, poller, two engine workers) on a
data folder of its own. While HDR + EXR generations render, download and derive, each of
20 rounds kills one process of the tree at a seeded random moment: runstudio itself (and
a new one is started), an engine worker, the poller, the sender or a web worker (which
runstudio or gunicorn starts again). Whatever a killed process had started must die with
it within 5 s. Afterwards everything must settle: every generation completed, every kept
file matching its recorded SHA-256 (and the engine's own file), no temporary file left
anywhere, no process left once the studio stops.

Two rules of the studio bound the choice of victims, and the test keeps to them rather
than loosening them: the engine fails a job whose render died MAX_ATTEMPTS times (a job
that keeps killing its worker must not loop forever), and runstudio gives up on a child
that needs more than five restarts in a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from studio.engine.jobs import MAX_ATTEMPTS
from tests.processes import (
    ROOT,
    Proc,
    alive,
    descendants,
    free_port,
    kill_all,
    leftovers,
    short_tempdir,
    start_of,
    start_runstudio,
    studio_env,
    survivors,
    until,
    wait_for,
)

pytestmark = pytest.mark.chaos

SEED = 20261129
ROUNDS = 20
TAKES = 4
# Seconds between kills: short, so that most land on work in flight.
PAUSE = (0.3, 2.0)
VICTIMS = {"engine": 4, "poller": 4, "web worker": 2, "runstudio": 2, "sender": 1}
# A round waits at most this long for its victim to have work in flight.
WORK_WAIT_S = 6.0
RESTARTS_PER_MINUTE = 4  # runstudio stops after a sixth restart of one child in a minute
# The smallest HDR + EXR generation the contract allows: 720p, 5 s (720 x 720 at 1:1).
BODY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "a lighthouse at dusk, waves below",
    "aspect_ratio": "1:1",
    "video": {"resolution": "720p", "duration": "5s", "hdr": True, "exr_export": True},
}
KINDS = ["exr", "poster", "preview", "thumbs", "video"]


class Studio:
    """One runstudio after another on the same data folder, and what the test saw of them."""

    def __init__(self, data: Path, env: dict[str, str], log: Path) -> None:
        self.data, self.env, self.log = data, env, log
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None
        self.seen: dict[Proc, str] = {}
        self.kills: dict[str, list[float]] = defaultdict(list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = start_runstudio(self.port, self.env, "--web-workers", "2", log=self.log)
        self.kills.clear()  # a new runstudio counts restarts afresh
        wait_for(f"{self.base}/accounts/signin/", timeout=120)

    def tree(self) -> dict[Proc, str]:
        assert self.process is not None
        found = descendants(self.process.pid)
        self.seen.update(found)
        return found

    def children(self, part: str) -> list[Proc]:
        assert self.process is not None
        return [p for p, cmd in descendants(self.process.pid, depth=1).items() if part in cmd]

    def web_workers(self) -> list[Proc]:
        masters = self.children("gunicorn")
        return list(descendants(masters[0][0], depth=1)) if masters else []

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data / "studio.sqlite3", timeout=30)

    def rows(self) -> list[tuple[str, str | None, str, int]]:
        with self.db() as db:
            return db.execute(
                "SELECT id, remote_id, state, outputs_ready FROM generations_generation"
            ).fetchall()

    def renders_may_die(self) -> bool:
        """No unfinished job is one killed render away from being failed for good.

        Checked for every job, not only the victim's: between the check and the kill a
        worker may claim another one."""
        with self.db() as db:
            (risky,) = db.execute(
                "SELECT COUNT(*) FROM engine_enginegeneration"
                " WHERE state IN ('queued', 'processing') AND attempts >= ?",
                (MAX_ATTEMPTS - 1,),
            ).fetchone()
        return risky == 0

    def rendering(self, worker: Proc | None) -> bool:
        """Whether ``worker`` (None: any worker) is writing EXR frames of a live claim."""
        owner = f"{socket.gethostname()}:{worker[0]}" if worker else None
        with self.db() as db:
            jobs = db.execute(
                "SELECT id, attempts, lease_owner FROM engine_enginegeneration"
                " WHERE state = 'processing' AND lease_until > ?",
                (dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),),
            ).fetchall()
        scratch = self.data / "engine" / ".scratch"
        return any(
            any((scratch / f"{uuid.UUID(job)}.{attempts}").glob(".exr-*/*.exr"))
            for job, attempts, lease_owner in jobs
            if owner is None or lease_owner == owner
        )

    def may_restart(self, name: str) -> bool:
        now = time.monotonic()
        return sum(now - t < 60 for t in self.kills[name]) < RESTARTS_PER_MINUTE

    def stop(self) -> int:
        assert self.process is not None
        self.tree()
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=90)


def pick(studio: Studio, rng: random.Random) -> tuple[str, Proc] | None:
    """A victim the studio's rules allow now, chosen by weight; None if there is none."""
    engines_ok = studio.renders_may_die()
    found: dict[str, list[Proc]] = {
        "engine": studio.children("engine_worker") if engines_ok else [],
        "poller": studio.children("django poll") if studio.may_restart("poller") else [],
        "sender": studio.children("django send") if studio.may_restart("sender") else [],
        "web worker": studio.web_workers(),
        "runstudio": [start_of(studio.process.pid)] if engines_ok and studio.process else [],
    }
    names = [name for name in VICTIMS if found[name]]
    if not names:
        return None
    name = rng.choices(names, weights=[VICTIMS[n] for n in names])[0]
    return name, rng.choice(sorted(found[name]))


def kill(studio: Studio, name: str, victim: Proc) -> None:
    """SIGKILL ``victim``; everything it had started must be gone within 5 s."""
    below = descendants(victim[0])
    studio.seen.update(below)
    os.kill(victim[0], signal.SIGKILL)
    if name == "runstudio":
        assert studio.process is not None
        studio.process.wait()
    else:
        studio.kills[name].append(time.monotonic())
    left = survivors([victim, *below], within=5)
    assert not left, f"{name} killed; still running: {[below.get(p, name) for p in left]}"


def in_flight(studio: Studio, name: str, victim: Proc) -> str:
    """The work of ``victim``'s kind in flight now, if any ("" when none)."""
    media = studio.data / "media"
    temp = [p for p in media.rglob(".*") if p.is_file()] if media.is_dir() else []
    downloads = [p for p in temp if p.name.endswith(".part")]
    if name == "engine":
        return "an HDR + EXR render" if studio.rendering(victim) else ""
    if name == "web worker":
        return "a download" if downloads else ""
    if name == "poller":
        return "a download" if downloads else "a derivation" if temp else ""
    if name == "runstudio":
        return "work" if temp or studio.rendering(None) else ""
    return "idle"


def moment(studio: Studio, name: str, victim: Proc) -> str:
    """Wait (a little) for ``victim``'s kind of work to be in flight; what it was doing."""
    deadline = time.monotonic() + WORK_WAIT_S
    while time.monotonic() < deadline and alive(victim):
        doing = in_flight(studio, name, victim)
        if doing:
            return doing
        time.sleep(0.02)
    return "nothing in particular"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_studio_survives_random_kills_and_leaves_nothing_behind(tmp_path: Path) -> None:
    with short_tempdir() as temp:
        run_chaos(tmp_path / "data", temp, tmp_path / "studio.log")


def run_chaos(data: Path, temp: Path, log: Path) -> None:
    env = studio_env(
        data,
        TMPDIR=str(temp),
        ENGINE_WORKERS="2",
        # Short leases so that killed work is taken up again within seconds.
        ENGINE_LEASE_SECONDS="4",
        POLLER_LEASE_SECONDS="6",
    )
    studio = Studio(data, env, log)
    rng = random.Random(SEED)
    try:
        studio.start()
        made = subprocess.run(
            [sys.executable, "manage.py", "studio_token", "create", "first@example.com"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        token = made.stdout.strip().splitlines()[-1]
        created = httpx.post(
            f"{studio.base}/api/v1/generations",
            headers={"Authorization": f"Bearer {token}"},
            json={"request": BODY, "takes": TAKES},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        ids = {g["id"].replace("-", "") for g in created.json()["generations"]}
        # Kills start once every take is sent: a sender killed between its create and
        # recording the answer leaves the generation "submission uncertain" by design,
        # for a person to resolve, which is not what this test is about.
        until(
            lambda: all(remote for _, remote, _, _ in studio.rows()),
            timeout=120,
            what="the takes to be sent",
        )

        for n in range(ROUNDS):
            time.sleep(rng.uniform(*PAUSE))
            studio.tree()
            chosen = pick(studio, rng)
            if chosen is None:
                continue
            name, victim = chosen
            doing = moment(studio, name, victim)
            # Waiting may have changed what the rules allow (a render's last attempt began).
            if name in ("engine", "runstudio") and not studio.renders_may_die():
                continue
            if not alive(victim):
                continue
            kill(studio, name, victim)
            print(f"round {n + 1}: killed {name} {victim[0]} during {doing}")
            if name == "runstudio":
                studio.start()

        def settled() -> bool:
            studio.tree()
            rows = studio.rows()
            return len(rows) == TAKES and all(s == "completed" and r for _, _, s, r in rows)

        until(settled, timeout=240, what="every generation to complete", every=0.5)
        assert studio.stop() == 0
    finally:
        if studio.process is not None and studio.process.poll() is None:
            studio.tree()  # whatever it started since the last look
            studio.process.kill()
            studio.process.wait()
        everyone = list(studio.seen)
        left = survivors(everyone, within=5)
        kill_all(everyone)
    assert not left, [studio.seen[p] for p in left]
    assert not any(alive(p) for p in everyone)

    with studio.db() as db:
        rows = db.execute(
            "SELECT g.id, g.remote_id, o.kind, o.file, o.size_bytes, o.sha256"
            " FROM generations_output o JOIN generations_generation g ON o.generation_id = g.id"
        ).fetchall()
        engine = {
            remote: (video, exr)
            for remote, video, exr in db.execute(
                "SELECT id, video_path, exr_path FROM engine_enginegeneration"
            )
        }
    assert {gid for gid, *_ in rows} == ids
    kinds: dict[str, list[str]] = defaultdict(list)
    for gid, remote, kind, name, size, digest in rows:
        kinds[gid].append(kind)
        kept = data / "media" / name
        assert kept.stat().st_size == size and sha256(kept) == digest, name
        if kind in ("video", "exr"):
            # What the studio kept is what the engine finished, byte for byte.
            original = engine[remote][0 if kind == "video" else 1]
            assert sha256(data / "engine" / original) == digest, name
    assert all(sorted(found) == KINDS for found in kinds.values()), kinds

    assert leftovers(data) == []
    assert list(temp.iterdir()) == []
