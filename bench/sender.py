"""Benchmark the sender: the cost of deciding, and a drain against the local engine.

    .venv/bin/python bench/sender.py [--waiting 10000] [--keys 100]
                                     [--drain-keys 10] [--per-key 60] [--rpm 30]
                                     [--database-url postgres://…]

1. Deciding: one sender pass with ``--waiting`` generations waiting across ``--keys``
   API keys, every key's running jobs at its limit (no slot free): the pass's time,
   median of several, and the queries it makes. Target: under 50 ms.
2. Drain: ``--per-key`` waiting generations on each of ``--drain-keys`` keys limited to
   ``--rpm`` creates a minute, sent into the local engine (gunicorn on loopback, its
   render worker stopped) by one sender: wall time against the ideal, and the number
   of creates the engine answered 429. The ideal under a sliding minute is one minute
   per full window after the first: 60 per key at 30 a minute → 60 s. Targets: within
   10 % of the ideal, no 429.

Prints figures only; asserts nothing. Everything lives in a temporary data folder.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from poller import configure, engine_server, free_port  # noqa: E402


def seed_waiting(keys: int, waiting: int, base_url: str, running_per_key: int) -> None:
    """Teams with their own keys, each key's slots full, and the waiting generations."""
    import uuid

    from django.utils import timezone

    from studio.accounts.users import create_user
    from studio.generations.models import Generation
    from studio.generations.routing import governor_for, route_for_team
    from studio.teams.create import create_team

    body = {"model": "ray-3.2", "type": "video", "prompt": "bench", "video": {"resolution": "360p"}}
    now = timezone.now()
    rows = []
    for k in range(keys):
        user = create_user(f"decide-{k}-{time.time_ns()}@example.com", None)
        team = create_team(f"Decide {k}", user)
        team.api_base_url, team.api_key = base_url, f"luma-api-bench-{k}"
        team.api_max_concurrent = running_per_key
        team.save()
        route = route_for_team(team)
        assert route is not None
        governor = governor_for(route, team)
        common = {
            "team": team,
            "author": user,
            "prompt": "bench",
            "request": body,
            "resolution": "360p",
            "api_base_url": route.base_url,
            "api_source": route.source,
            "governor": governor,
            "inputs_ready": True,
        }
        for _ in range(running_per_key):
            rows.append(Generation(**common, state="queued", remote_id=uuid.uuid4()))
        rows.extend(
            Generation(**common, state="waiting", queue_order=now, created_at=now)
            for _ in range(waiting // keys)
        )
    Generation.objects.bulk_create(rows, batch_size=1000)


def bench_decide(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studio.generations.sender import SenderConfig, send_once

    print(f"\nDeciding: {args.waiting} waiting across {args.keys} keys, no slot free")
    seed_waiting(args.keys, args.waiting, "http://127.0.0.1:9/v1", 10)
    config = SenderConfig.from_settings(owner="bench")
    send_once(config)  # warm caches and the query planner
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        report = send_once(config)
        times.append(time.perf_counter() - start)
        assert report.sent == 0
    with CaptureQueriesContext(connection) as queries:
        send_once(config)
    median = statistics.median(times)
    print(f"  {'sender pass (median of ' + str(args.repeat) + ')':<34} {median * 1000:8.1f} ms")
    print(f"  {'fastest / slowest':<34} {min(times) * 1000:8.1f} / {max(times) * 1000:.1f} ms")
    print(f"  {'queries per pass':<34} {len(queries):8d}")
    print(f"  {'target':<34} {50.0:8.1f} ms   ratio {median * 1000 / 50.0:.2f}")


def bench_drain(args: argparse.Namespace) -> None:
    from django.conf import settings

    from studio.accounts.users import create_user
    from studio.engine.models import EngineGeneration
    from studio.engine.testing import create_key
    from studio.generations import lifecycle
    from studio.generations.models import CreateAttempt, Generation
    from studio.generations.sender import SenderConfig, send_once
    from studio.teams.create import create_team
    from studio.teams.models import Membership

    total = args.drain_keys * args.per_key
    windows = math.ceil(args.per_key / args.rpm) - 1
    ideal = windows * settings.RATE_WINDOW_S
    print(
        f"\nDrain: {total} waiting on {args.drain_keys} keys at {args.rpm} creates a minute, "
        "engine worker stopped"
    )
    port = free_port()
    with engine_server(port, args.server_workers) as base:
        body = {
            "model": "ray-3.2",
            "type": "video",
            "prompt": "drain",
            "video": {"resolution": "360p", "duration": "5s"},
        }
        teams = []
        for k in range(args.drain_keys):
            user = create_user(f"drain-{k}-{time.time_ns()}@example.com", None)
            team = create_team(f"Drain {k}", user)
            team.api_base_url = base
            team.api_key = create_key(f"drain-{k}", rpm_limit=args.rpm, concurrent_limit=total)
            team.api_max_rpm, team.api_max_concurrent = args.rpm, total
            team.save()
            teams.append(team)
            membership = Membership.objects.get(team=team, user=user)
            draft = lifecycle.Draft(membership, "create", body, price=Decimal("0.06"))
            for start in range(0, args.per_key, 16):
                lifecycle.record([draft] * min(16, args.per_key - start))
        config = SenderConfig.from_settings(owner="drain")
        started = time.perf_counter()
        first_done = None
        deadline = started + ideal * 3 + 120
        drained = Generation.objects.filter(team__in=teams)
        while drained.filter(state__in=Generation.UNSENT).exists():
            if time.perf_counter() > deadline:
                print("  gave up: the drain took over three times the ideal")
                break
            report = send_once(config)
            sent = drained.filter(state="queued").count()
            if first_done is None and sent >= min(total, args.drain_keys * args.rpm):
                first_done = time.perf_counter() - started
            if not report.worked:
                time.sleep(0.05)
        wall = time.perf_counter() - started
        refused = CreateAttempt.objects.filter(status=429).count()
        created = EngineGeneration.objects.count()
    print(f"  {'creates accepted by the engine':<34} {created:8d} of {total}")
    print(f"  {'first window sent in':<34} {first_done or 0:8.1f} s")
    print(f"  {'wall time':<34} {wall:8.1f} s")
    print(f"  {'ideal (sliding minute)':<34} {ideal:8.1f} s   ratio {wall / max(ideal, 1e-9):.3f}")
    print(f"  {'creates answered 429':<34} {refused:8d}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--drain-keys", type=int, default=10)
    parser.add_argument("--per-key", type=int, default=60)
    parser.add_argument("--rpm", type=int, default=30)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--skip-drain", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        configure(Path(tmp), args.database_url)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        print(f"cores: {os.cpu_count()}, database: {os.environ['DATABASE_URL'].split(':')[0]}")
        bench_decide(args)
        if not args.skip_drain:
            bench_drain(args)


if __name__ == "__main__":
    main()
