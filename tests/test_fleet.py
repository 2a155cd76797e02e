"""The fleet: one process per role, sharing PostgreSQL and a bucket, as a team deploys it.

A web server, two pollers, two senders and two engine workers each run as their own
`runstudio --only ROLE` against a PostgreSQL database of their own (made and dropped by
the test) and an S3-compatible server (moto's, in a process of its own on loopback). No
two processes share a folder: the studio's media and the local engine's files (which the
web answers `/v1/` with, from what the engine workers rendered) are all in the bucket.
Ten teams, each with its own API key on the web's local engine, post 200 generations
through the studio's JSON API, and every one must be sent once, rendered once, completed
once and stored once in the bucket, with no process crashing and nothing left behind
once the fleet stops.

Several processes writing one SQLite file is not a deployment: on SQLite it is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import boto3
import httpx
import pytest
from django.db import connection

from tests.processes import (
    ROOT,
    Proc,
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

pytestmark = [
    pytest.mark.fleet,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="several processes writing one SQLite file is not a deployment; "
        "the fleet runs on PostgreSQL",
    ),
]

TEAMS = 10
PER_TEAM = 20
PER_REQUEST = 10  # takes posted in one request (one prompt each)
# The cheapest render the contract allows: 360 x 360, 5 s, SDR.
BODY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "unused: each take has its own prompt",
    "aspect_ratio": "1:1",
    "video": {"resolution": "360p", "duration": "5s"},
}
KINDS = ["poster", "thumbs", "video"]
# (role, instances): what `runstudio --only` starts, one process each.
WORKERS = [("sender", 2), ("poller", 2), ("engine", 2)]
REGION = "us-east-1"
SETTLE_S = 420


@dataclass
class Member:
    """One process of the fleet: a `runstudio --only ROLE` and what the test saw of it."""

    name: str
    role: str
    data: Path
    temp: Path
    log: Path
    process: subprocess.Popen[str] | None = None


class Fleet:
    """The fleet's processes on one port for the web, each with folders of its own."""

    def __init__(self, root: Path, temp: Path, env: dict[str, str]) -> None:
        self.root, self.temp, self.env = root, temp, env
        self.port = free_port()
        self.members: list[Member] = []
        self.seen: dict[Proc, str] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def member(self, name: str, role: str) -> Member:
        data, temp = self.root / name, self.temp / name
        data.mkdir(parents=True)
        temp.mkdir(parents=True)
        found = Member(name, role, data, temp, self.root / f"{name}.log")
        self.members.append(found)
        return found

    def env_of(self, member: Member) -> dict[str, str]:
        return studio_env(
            member.data,
            **self.env,
            TMPDIR=str(member.temp),
            SITE_URL=self.base,
            LUMA_BASE_URL=f"{self.base}/v1",
            ENGINE_WORKERS="1",
            POLLER_CONCURRENCY="4",
        )

    def start(self, member: Member, **extra: str) -> None:
        env = {**self.env_of(member), **extra}
        argv = ["--only", member.role]
        if member.role == "web":
            argv += ["--web-workers", "2", "--web-threads", "4"]
        member.process = start_runstudio(self.port, env, *argv, log=member.log)

    def web_up(self) -> bool:
        web = self.members[0]
        assert web.process is not None
        assert web.process.poll() is None, f"the web server stopped:\n{web.log.read_text()[-4000:]}"
        try:
            return httpx.get(f"{self.base}/healthz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def roles(self) -> dict[str, dict[Proc, str]]:
        """Each member's role process (the web's: gunicorn's master and its workers)."""
        found = {}
        for member in self.members:
            assert member.process is not None
            depth = 2 if member.role == "web" else 1
            found[member.name] = descendants(member.process.pid, depth=depth)
        return found

    def look(self) -> None:
        """Remember every process of the fleet (and below), to check none is left."""
        for member in self.members:
            if member.process is not None and member.process.poll() is None:
                self.seen[start_of(member.process.pid)] = f"runstudio --only {member.role}"
                self.seen.update(descendants(member.process.pid))

    def stop(self) -> dict[str, int]:
        """SIGTERM the workers (all at once), then the web; their exit statuses."""
        self.look()
        codes = {}
        for last in (False, True):
            group = [m for m in self.members if (m.role == "web") == last and m.process]
            for member in group:
                assert member.process is not None
                member.process.send_signal(signal.SIGTERM)
            for member in group:
                assert member.process is not None
                codes[member.name] = member.process.wait(timeout=90)
        return codes

    def kill(self) -> None:
        for member in self.members:
            if member.process is not None and member.process.poll() is None:
                member.process.kill()
                member.process.wait()


class Clock:
    """How long each phase took, printed as it ends (shown with ``pytest -s``)."""

    def __init__(self) -> None:
        self.start = self.last = time.monotonic()

    def lap(self, what: str) -> None:
        now = time.monotonic()
        print(f"{what}: {now - self.last:.1f} s (total {now - self.start:.1f} s)")
        self.last = now


def seed() -> None:
    """In a process on the fleet's database: ten teams, each with an owner, a personal API
    token and its own API key on the local engine (``LUMA_BASE_URL``). Prints them as JSON
    on the last line."""
    import django

    django.setup()
    from django.conf import settings

    from studio.accounts.users import create_user
    from studio.api.tokens import issue
    from studio.engine.keys import create_key
    from studio.teams.create import create_team

    teams = []
    for n in range(TEAMS):
        owner = create_user(f"owner{n}@fleet.example", None, name=f"Owner {n}")
        team = create_team(f"Fleet {n}", owner)
        _, key = create_key(f"fleet team {n}")
        team.api_base_url, team.api_key = settings.LUMA_BASE_URL, key
        team.save(update_fields=["api_base_url", "api_key"])
        _, token = issue(owner, team, "pipeline")
        teams.append({"team": str(team.pk), "key": key, "token": token})
    print(json.dumps(teams))


@pytest.fixture
def fleet_database() -> Iterator[str]:
    """A PostgreSQL database of the fleet's own, on the test database's server.

    The fleet's processes need committed rows and their own schema (the web role
    migrates it), which the test's own database, wrapped in a transaction, cannot give."""
    import psycopg

    db = connection.settings_dict
    params = {
        "host": db.get("HOST") or "localhost",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    name = f"fleet_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = quote(params["user"] or "", safe="")
    password = f":{quote(params['password'], safe='')}" if params["password"] else ""
    try:
        yield f"postgres://{user}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Bucket:
    """A bucket in moto's S3 server, seen from outside the studio: its objects, and every
    upload the server's request log shows (an overwrite leaves one object, not one log line)."""

    def __init__(self, endpoint: str, log: Path) -> None:
        self.endpoint, self.log = endpoint, log
        self.name = f"fleet-{uuid.uuid4().hex[:16]}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="fleet",
            aws_secret_access_key="fleet-secret",
        )
        self.client.create_bucket(Bucket=self.name)

    def objects(self) -> dict[str, int]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"]: item["Size"] for page in pages for item in page.get("Contents", [])}

    def digest(self, key: str) -> str:
        """SHA-256 of an object's bytes, read back from the server."""
        return hashlib.sha256(
            self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        ).hexdigest()

    def uploads(self) -> Counter[str]:
        """Completed uploads per key: single PUTs, and multipart uploads' completions."""
        done = re.compile(
            rf'"(?:PUT /{self.name}/([^ ?]+) HTTP|POST /{self.name}/([^ ?]+)\?uploadId=[^ ]+ HTTP)'
            r'[^"]*" 200 '
        )
        found: Counter[str] = Counter()
        for line in self.log.read_text().splitlines():
            match = done.search(line)
            if match:
                found[unquote(match.group(1) or match.group(2))] += 1
        return found


@pytest.fixture
def bucket(tmp_path: Path) -> Iterator[Bucket]:
    """moto's S3-compatible server as a process of its own on loopback, and a bucket."""
    port, path = free_port(), tmp_path / "s3.log"
    with open(path, "w") as log:  # the server keeps its own descriptor
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("moto_server")),
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{endpoint}/moto-api/", timeout=60)
        yield Bucket(endpoint, path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def query(url: str, sql: str, *args: object) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute(sql, args).fetchall()


def test_a_fleet_of_processes_sends_completes_and_stores_each_generation_once(
    tmp_path: Path, fleet_database: str, bucket: Bucket
) -> None:
    with short_tempdir() as temp:
        run_fleet(tmp_path, temp, fleet_database, bucket)


def run_fleet(root: Path, temp: Path, database: str, bucket: Bucket) -> None:
    fleet = Fleet(
        root,
        temp,
        {
            "DATABASE_URL": database,
            "SECRET_KEY": secrets.token_urlsafe(40),
            "STUDIO_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": bucket.name,
            "AWS_S3_ENDPOINT_URL": bucket.endpoint,
            "AWS_ACCESS_KEY_ID": "fleet",
            "AWS_SECRET_ACCESS_KEY": "fleet-secret",
            "AWS_S3_REGION_NAME": REGION,
        },
    )
    web = fleet.member("web", "web")
    workers = [
        fleet.member(f"{role}-{n + 1}", role) for role, count in WORKERS for n in range(count)
    ]
    clock = Clock()
    try:
        # The web role migrates the empty database and makes the first account.
        fleet.start(web)
        until(fleet.web_up, timeout=180, what="the web server", every=0.5)
        # Every machine gets the same key for the studio's own API (here, the key the web
        # made for its local engine); the workers need nothing else from the web.
        studio_key = (web.data / "engine-dev-key").read_text().strip()
        for member in workers:
            fleet.start(member, LUMA_AGENTS_API_KEY=studio_key)
        seeded = subprocess.run(
            [sys.executable, "-c", "from tests.test_fleet import seed; seed()"],
            cwd=ROOT,
            env={**fleet.env_of(web), "DJANGO_SETTINGS_MODULE": "studio.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stderr
        teams = json.loads(seeded.stdout.strip().splitlines()[-1])

        def ready() -> bool:
            fleet.look()
            return httpx.get(f"{fleet.base}/readyz", timeout=10).status_code == 200

        until(ready, timeout=120, what="every role's heartbeat (/readyz)", every=0.5)
        clock.lap("started and ready")
        started = fleet.roles()

        # Each team's pipeline posts its takes at the same time as the others.
        with ThreadPoolExecutor(max_workers=TEAMS) as pipelines:
            posted = list(pipelines.map(post_takes, [fleet.base] * TEAMS, range(TEAMS), teams))
        prompts = {gid: (n, prompt) for n, found in enumerate(posted) for gid, prompt in found}
        assert len(prompts) == TEAMS * PER_TEAM
        clock.lap("posted")

        def settled() -> bool:
            fleet.look()
            for member in fleet.members:
                assert member.process is not None
                assert member.process.poll() is None, f"{member.name} stopped on its own"
            ((done,),) = query(
                database,
                "SELECT COUNT(*) FROM generations_generation"
                " WHERE state = 'completed' AND outputs_ready",
            )
            return done == len(prompts)

        until(settled, timeout=SETTLE_S, what="every generation to complete", every=1.0)
        clock.lap("completed")
        # No role's process (nor a web worker) died and was started again along the way.
        assert fleet.roles() == started
        codes = fleet.stop()
        clock.lap("stopped")
    finally:
        fleet.kill()
        everyone = list(fleet.seen)
        left = survivors(everyone, within=10)
        kill_all(everyone)
    assert not left, [fleet.seen[p] for p in left]
    assert codes == {m.name: 0 for m in fleet.members}
    for member in fleet.members:
        log = member.log.read_text()
        for crash in ("exited with status", "keeps failing", "Traceback"):
            assert crash not in log, f"{member.name}: {crash}\n{log[-4000:]}"
    check_records(database, teams, prompts)
    check_bucket(database, bucket)
    clock.lap("checked")
    # Nothing of the media (the studio's or the engine's) stays on any process's disk,
    # and nothing temporary anywhere.
    for member in fleet.members:
        for media in (member.data / "media", member.data / "engine"):
            assert not any(p.is_file() for p in media.rglob("*")), (member.name, media)
        assert leftovers(member.data) == [], member.name
        assert list(member.temp.iterdir()) == [], member.name


def post_takes(base: str, n: int, team: dict[str, str]) -> list[tuple[str, str]]:
    """Team ``n``'s generations through the studio's JSON API: (id, prompt) of each."""
    found = []
    for first in range(0, PER_TEAM, PER_REQUEST):
        takes = [f"a paper boat on a pond, team {n} take {first + i}" for i in range(PER_REQUEST)]
        created = httpx.post(
            f"{base}/api/v1/generations",
            headers={"Authorization": f"Bearer {team['token']}"},
            json={"request": BODY, "prompts": takes},
            timeout=60,
        )
        assert created.status_code == 201, created.text
        found += [
            (uuid.UUID(g["id"]).hex, g["request"]["prompt"]) for g in created.json()["generations"]
        ]
    return found


def check_records(
    database: str, teams: list[dict[str, str]], prompts: dict[str, tuple[int, str]]
) -> None:
    """Each generation sent once, to its team's key, rendered once and completed once."""
    rows = query(
        database,
        "SELECT g.id, g.remote_id, g.state, g.prompt, g.team_id FROM generations_generation g",
    )
    assert {gid.hex for gid, *_ in rows} == set(prompts)
    assert all(state == "completed" for _, _, state, _, _ in rows)
    remote = {gid.hex: rid for gid, rid, *_ in rows}
    assert None not in remote.values()
    assert len(set(remote.values())) == len(remote)

    key_of_team = {team["team"]: hashlib.sha256(team["key"].encode()).hexdigest() for team in teams}
    jobs = query(
        database,
        "SELECT j.id, j.state, j.attempts, j.request, k.secret_hash"
        " FROM engine_enginegeneration j JOIN engine_apikey k ON j.key_id = k.id",
    )
    # The engine made exactly one job per generation: none created twice, none lost.
    assert len(jobs) == len(prompts)
    assert {job_id for job_id, *_ in jobs} == set(remote.values())
    job_of = {
        job_id: (state, attempts, request, key) for job_id, state, attempts, request, key in jobs
    }
    per_key: Counter[str] = Counter()
    for gid, _, _, prompt, team_id in rows:
        state, attempts, request, key = job_of[remote[gid.hex]]
        assert (state, attempts) == ("completed", 1), (gid, state, attempts)
        assert request["prompt"] == prompt == prompts[gid.hex][1]
        # Sent with its own team's key.
        assert key == key_of_team[str(team_id)], gid
        # In the team whose token posted it.
        assert teams[prompts[gid.hex][0]]["team"] == str(team_id), gid
        per_key[key] += 1
    assert sorted(per_key.values()) == [PER_TEAM] * TEAMS

    events: dict[str, Counter[str]] = defaultdict(Counter)
    for gid, kind, state in query(
        database, "SELECT generation_id, kind, state FROM generations_progressevent"
    ):
        events[gid.hex][kind if kind != "state" else f"state:{state}"] += 1
    for gid in prompts:
        seen = events[gid]
        assert seen["submitted"] == 1, (gid, seen)
        assert seen["state:completed"] == 1, (gid, seen)
        assert seen["downloaded"] == 1, (gid, seen)
        for never in ("uncertain", "resent", "retry", "not_sent", "refused", "dropped"):
            assert seen[never] == 0, (gid, seen)

    beats = Counter(role for (role,) in query(database, "SELECT role FROM health_heartbeat"))
    assert {role: beats[role] for role, _ in WORKERS} == dict(WORKERS)


def check_bucket(database: str, bucket: Bucket) -> None:
    """Exactly one set of outputs per generation in the bucket, each uploaded once and
    matching its record; the engine's renders kept once too."""
    outputs = query(
        database,
        "SELECT o.generation_id, o.kind, o.file, o.size_bytes, o.sha256, g.remote_id"
        " FROM generations_output o JOIN generations_generation g ON o.generation_id = g.id",
    )
    kinds: dict[str, list[str]] = defaultdict(list)
    for gid, kind, *_ in outputs:
        kinds[gid.hex].append(kind)
    assert all(sorted(found) == KINDS for found in kinds.values())
    assert len(kinds) == TEAMS * PER_TEAM

    stored = bucket.objects()
    uploads = bucket.uploads()
    # The studio's outputs, and the local engine's own files where it keeps them in the
    # bucket too (under engine/); nothing else, so nothing stray.
    assert {key.split("/", 1)[0] for key in stored} <= {"outputs", "engine"}, sorted(stored)[:20]
    in_outputs = {key: size for key, size in stored.items() if key.startswith("outputs/")}
    # No copy of an output beside the recorded one, none missing, none written twice.
    assert set(in_outputs) == {name for _, _, name, *_ in outputs}
    assert {key: uploads[key] for key in in_outputs} == dict.fromkeys(in_outputs, 1)

    # The engine's renders are in the bucket as well (the web answers `/v1/` for what the
    # engine workers made on other machines): one per job, uploaded once.
    renders = dict(query(database, "SELECT id, video_path FROM engine_enginegeneration"))
    in_engine = {key for key in stored if key.startswith("engine/")}
    assert in_engine == {f"engine/{path}" for path in renders.values()}
    assert {key: uploads[key] for key in in_engine} == dict.fromkeys(in_engine, 1)
    # Every byte read back: the studio's records, and the engine's renders the studio kept.
    digests = {key: digest for _, _, key, _, digest, _ in outputs}
    expected = {
        **digests,
        **{f"engine/{renders[r]}": d for _, k, _, _, d, r in outputs if k == "video"},
    }
    with ThreadPoolExecutor(max_workers=8) as readers:
        found = dict(zip(expected, readers.map(bucket.digest, expected), strict=True))
    assert found == expected
    assert all(size == in_outputs[key] for _, _, key, size, _, _ in outputs)
