"""Benchmark the poller against the local engine served by a real server on loopback.

    .venv/bin/python bench/poller.py [--generations 1000] [--download-mb 200]
                                     [--database-url postgres://…] [--concurrency 16]

1. One polling pass over N in-flight generations (engine and studio rows seeded
   directly), timed and in requests per second, next to the naive baseline measured in
   the same run: one GET after another with a fresh HTTP client per request, the pattern
   of the API guide's sample loop (its sleeps left out).
2. Download of one large output through the poller's download path, in a fresh child
   process: throughput and the growth of that process's peak RSS.

Prints figures only; asserts nothing. Everything lives in a temporary data folder.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(data_dir: Path, database_url: str | None) -> None:
    """Point the studio at the temporary folder before Django is set up."""
    os.environ["STUDIO_DATA_DIR"] = str(data_dir)
    os.environ["MEDIA_ROOT"] = str(data_dir / "media")
    os.environ["ENGINE_MEDIA_ROOT"] = str(data_dir / "engine")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    # Persistent connections in the engine's server, as a deployment would have them.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextlib.contextmanager
def engine_server(port: int, workers: int) -> Iterator[str]:
    """The studio (and so the engine's /v1/) under gunicorn on loopback."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "studio.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(argv, cwd=ROOT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}/v1"
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/generations/x", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("the engine server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def seed(count: int, base_url: str, api_key_id: int) -> list[str]:
    """N engine generations in flight and the studio's rows for them."""
    from django.utils import timezone

    from studio.accounts.users import create_user
    from studio.engine.models import EngineGeneration
    from studio.generations.models import Generation
    from studio.teams.create import create_team

    user = create_user(f"bench-{time.time_ns()}@example.com", None)
    team = create_team("Bench", user)
    body = {"model": "ray-3.2", "type": "video", "prompt": "bench", "video": {"resolution": "360p"}}
    now = timezone.now()
    remote = [
        EngineGeneration(
            key_id=api_key_id, type="video", request=body, state="processing" if i % 2 else "queued"
        )
        for i in range(count)
    ]
    EngineGeneration.objects.bulk_create(remote, batch_size=500)
    Generation.objects.bulk_create(
        [
            Generation(
                team=team,
                author=user,
                prompt="bench",
                request=body,
                resolution="360p",
                api_base_url=base_url,
                remote_id=r.id,
                state=r.state,
                submitted_at=now,
                next_poll_at=now,
            )
            for r in remote
        ],
        batch_size=500,
    )
    return [str(r.id) for r in remote]


def naive_baseline(base_url: str, key: str, ids: list[str]) -> float:
    """Seconds for one GET after another, each with a fresh client (new connection)."""
    import httpx

    start = time.perf_counter()
    for remote_id in ids:
        with httpx.Client(timeout=30) as client:
            response = client.get(
                f"{base_url}/generations/{remote_id}", headers={"Authorization": f"Bearer {key}"}
            )
            response.raise_for_status()
            response.json()
    return time.perf_counter() - start


def poller_pass(count: int, concurrency: int) -> tuple[float, int, dict[str, float]]:
    from django.utils import timezone

    from studio.generations.models import Generation
    from studio.generations.poller import PollerConfig, poll_once

    Generation.objects.update(next_poll_at=timezone.now())
    config = PollerConfig.from_settings(owner="bench", batch=count, concurrency=concurrency)
    start, cpu = time.perf_counter(), time.process_time()
    report = poll_once(config)
    elapsed = time.perf_counter() - start
    report.timings["poller cpu"] = time.process_time() - cpu
    if report.errors:
        details = Counter(
            Generation.objects.exclude(error_detail="").values_list("error_detail", flat=True)
        )
        print(f"  (pass had {report.errors} errors: {details.most_common(2)})")
    return elapsed, report.polled, report.timings


def bench_polling(args: argparse.Namespace) -> None:
    from django.conf import settings

    from studio.engine.keys import create_key

    record, key = create_key("bench")
    settings.LUMA_AGENTS_API_KEY = key
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    print(f"Seeding {args.generations} in-flight generations…")
    ids = seed(args.generations, base, record.id)
    with engine_server(port, args.server_workers) as base_url:
        poller_pass(min(50, args.generations), args.concurrency)  # warm the server up
        print(
            f"\nPolling pass over {args.generations} generations "
            f"(engine: gunicorn, {args.server_workers} workers × 4 threads, same machine), "
            f"median of {args.repeat}:"
        )
        medians = {}
        for concurrency in sorted({8, args.concurrency, 32}):
            runs = [poller_pass(args.generations, concurrency) for _ in range(args.repeat)]
            runs.sort(key=lambda run: run[0])
            seconds, polled, timings = runs[len(runs) // 2]
            medians[concurrency] = seconds
            phases = ", ".join(f"{name} {value:.2f}" for name, value in timings.items())
            print(
                f"  poller, concurrency {concurrency:>2}: {seconds:6.2f} s "
                f"(best {runs[0][0]:.2f}), {polled / seconds:6.1f} GET/s; {phases}"
            )
        naive = naive_baseline(base_url, key, ids)
        print(f"  naive loop, fresh client per GET: {naive:6.2f} s, {len(ids) / naive:6.1f} GET/s")
        print(
            f"  speed-up at concurrency {args.concurrency}: "
            f"{naive / medians[args.concurrency]:.1f}×"
        )


def bench_download(args: argparse.Namespace) -> None:
    """Run the download measurement in a fresh process so its RSS is the poller's own."""
    from django.conf import settings
    from django.utils import timezone

    from studio.engine.keys import create_key
    from studio.engine.models import EngineGeneration
    from studio.engine.wire import VIDEO_NAME

    record, key = create_key("bench-download")
    generation = EngineGeneration.objects.create(
        key=record, type="video", request={}, state="completed", finished_at=timezone.now()
    )
    relative = f"{generation.id}/out/{VIDEO_NAME}"
    path = Path(settings.ENGINE_MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    size = args.download_mb * 1024 * 1024
    chunk = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(args.download_mb):
            handle.write(chunk)
    EngineGeneration.objects.filter(id=generation.id).update(video_path=relative)
    port = free_port()
    with engine_server(port, 1) as base_url:
        child = subprocess.run(
            [sys.executable, __file__, "--child-download", base_url, key, str(generation.id)],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=False,
        )
    if child.returncode != 0:
        print(child.stdout, child.stderr)
        raise SystemExit("download child failed")
    seconds, peak_growth_kb, got = (float(x) for x in child.stdout.split())
    print(f"\nDownload of a {args.download_mb} MB output (poller's download path, fresh process):")
    print(f"  {seconds:.2f} s, {size / seconds / 1e6:.0f} MB/s; bytes ok: {int(got) == size}")
    print(f"  peak RSS growth during the download: {peak_growth_kb / 1024:.1f} MB")


def proc_status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])  # kB
    return 0


def child_download(base_url: str, key: str, remote_id: str) -> None:
    from django.conf import settings

    from studio.client import Client
    from studio.generations.poller import remote

    folder = Path(settings.MEDIA_ROOT) / "outputs" / "bench"
    with Client(base_url, key, max_retries=0) as client:
        answer = client.get_generation(remote_id)
        job = remote.FetchJob(
            key=(base_url, key), remote_id=remote_id, answer=answer, folder=folder
        )
        # Everything is imported and connected: measure from here.
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS
        before = proc_status("VmRSS")
        start = time.perf_counter()
        fetched = remote.fetch_one(client, job)
        seconds = time.perf_counter() - start
        if fetched.error:
            raise fetched.error
        growth = proc_status("VmHWM") - before
    print(seconds, growth, fetched.files["video"].size)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--generations", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--download-mb", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child-download", nargs=3, metavar=("BASE_URL", "KEY", "ID"))
    args = parser.parse_args()

    if args.child_download:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        child_download(*args.child_download)
        return

    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        configure(Path(tmp), args.database_url)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        print(f"cores: {os.cpu_count()}, database: {os.environ['DATABASE_URL'].split(':')[0]}")
        bench_polling(args)
        if args.download_mb > 0:
            bench_download(args)


if __name__ == "__main__":
    main()
