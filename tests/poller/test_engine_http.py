"""The poller against the local engine over real HTTP (pytest-django's live server).

Each test submits through the studio's client, records the studio's row as the composer
would, lets the engine's worker step render, and runs poller passes one at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from studio.client import Client
from studio.engine.testing import create_key, run_pending_renders
from studio.generations.models import Generation, Output
from studio.generations.poller import PollerConfig, outputs, poll_once
from tests.conftest import Personas
from tests.processes import ROOT, shared_database_url, studio_env, until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engine(live_server: Any, settings: Any) -> Iterator[Client]:
    settings.LUMA_BASE_URL = f"{live_server.url}/v1"
    settings.LUMA_AGENTS_API_KEY = create_key("poller")
    with Client(settings.LUMA_BASE_URL, settings.LUMA_AGENTS_API_KEY) as client:
        yield client


def submit(client: Client, personas: Personas, **video: Any) -> Generation:
    """Create on the engine and record the row, as the composer's submit service does."""
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a lighthouse at dusk",
        "aspect_ratio": "16:9",
        "video": {"resolution": "360p", "duration": "5s", **video},
    }
    answer = client.create_generation(body)
    return Generation.objects.create(
        team=personas.team,
        author=personas.editor,
        prompt=body["prompt"],
        request=body,
        resolution=body["video"]["resolution"],
        hdr=bool(video.get("hdr")),
        exr_export=bool(video.get("exr_export")),
        api_base_url=client.base_url,
        remote_id=answer["id"],
        state=answer["state"],
        submitted_at=timezone.now(),
        next_poll_at=timezone.now(),
    )


def config(name: str = "test-poller") -> PollerConfig:
    return PollerConfig.from_settings(owner=name)


def make_due(*generations: Generation) -> None:
    """Skip the wait to the next scheduled look (the schedule itself is tested elsewhere)."""
    ids = [g.id for g in generations] or Generation.objects.values_list("id", flat=True)
    Generation.objects.filter(id__in=list(ids)).update(next_poll_at=timezone.now())


def engine_file(url: str, client: Client) -> bytes:
    import httpx

    return httpx.get(url, timeout=30).content


def events(generation: Generation) -> list[tuple[str, str]]:
    return list(generation.events.values_list("kind", "state"))


def test_a_pass_records_states_then_downloads_and_derives(
    engine: Client, personas: Personas
) -> None:
    generation = submit(engine, personas)

    report = poll_once(config())
    generation.refresh_from_db()
    assert (report.claimed, report.polled, report.errors) == (1, 1, 0)
    assert generation.state == "queued" and generation.last_polled_at is not None
    # Due again within the fast cadence, and the lease is given back.
    assert generation.next_poll_at - generation.last_polled_at <= dt.timedelta(seconds=5.5)
    assert generation.lease_owner == "" and generation.lease_until is None
    assert poll_once(config()).claimed == 0  # nothing due yet

    assert run_pending_renders() == 1
    make_due(generation)
    report = poll_once(config())
    generation.refresh_from_db()
    assert report.downloaded == 1
    assert generation.state == "completed" and generation.outputs_ready
    assert generation.finished_at is not None and generation.next_poll_at is None
    assert events(generation) == [("state", "completed"), ("downloaded", "completed")]

    video = generation.outputs.get(kind="video")
    kept = Path(settings.MEDIA_ROOT) / video.file.name
    fresh = engine.get_generation(str(generation.remote_id))["output"][0]["url"]
    original = engine_file(fresh, engine)
    assert (
        video.sha256
        == hashlib.sha256(original).hexdigest()
        == hashlib.sha256(kept.read_bytes()).hexdigest()
    )
    assert video.size_bytes == len(original)
    assert (video.width, video.height, video.frames, video.fps, video.codec, video.hdr) == (
        640,
        360,
        121,
        24.0,
        "h264",
        False,
    )
    assert generation.duration_s == pytest.approx(121 / 24, abs=0.05)
    assert set(generation.outputs.values_list("kind", flat=True)) == {"video", "poster", "thumbs"}
    assert poll_once(config()).claimed == 0  # done: never polled again


def test_failed_generation_records_code_and_reason(
    engine: Client, personas: Personas, settings: Any
) -> None:
    settings.ENGINE_MODERATION_WORDS = ["lighthouse"]
    generation = submit(engine, personas)
    run_pending_renders()
    poll_once(config())
    generation.refresh_from_db()
    assert generation.state == "failed"
    assert generation.failure_code == "content_moderated"
    assert "moderation" in generation.failure_reason
    assert generation.next_poll_at is None and not generation.outputs.exists()
    assert events(generation) == [("state", "failed")]
    assert generation.events.get().detail.startswith("content_moderated: ")


def test_expired_link_gets_a_fresh_get_then_downloads(
    engine: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    generation = submit(engine, personas)
    run_pending_renders()
    real_download = Client.download
    seen: list[str] = []
    used: list[str] = []

    def first_link_tampered(self: Client, url: str, dest: Path) -> Any:
        seen.append(url)
        if len(seen) == 1:
            # A link the engine refuses with 403, as it does once links expire.
            url = url.replace("signature=", "signature=0")
        used.append(url)
        return real_download(self, url, dest)

    real_get = Client.get_generation
    gets: list[str] = []

    def counted_get(self: Client, id: str) -> Any:
        gets.append(id)
        return real_get(self, id)

    monkeypatch.setattr(Client, "download", first_link_tampered)
    monkeypatch.setattr(Client, "get_generation", counted_get)
    report = poll_once(config())
    generation.refresh_from_db()
    assert report.downloaded == 1 and generation.outputs_ready
    # The poll, then a fresh GET after the 403; the second download used its link.
    assert gets == [str(generation.remote_id)] * 2
    assert len(seen) == 2 and used[0] != seen[0] and used[1] == seen[1]
    downloaded = generation.events.get(kind="downloaded")
    assert "1 link(s) refreshed" in downloaded.detail
    video = generation.outputs.get(kind="video")
    kept = (Path(settings.MEDIA_ROOT) / video.file.name).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == video.sha256


def request_id_drawing(kind: int) -> str:
    """A request id for which the engine's GET fault (at rate 1) is a 429 (0) or a 502 (1)."""
    for n in range(1000):
        candidate = f"req-{n}"
        draw = random.Random(f"get:{candidate}")
        draw.random()
        if (draw.random() >= 0.5) == bool(kind):
            return candidate
    raise AssertionError("no request id found")


def test_429_retry_after_is_respected_and_5xx_backs_off(
    engine: Client, personas: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    generation = submit(engine, personas)
    settings.ENGINE_FAULT_GET_RATE = 1.0
    monkeypatch.setattr("studio.client.sync.new_request_id", lambda: request_id_drawing(0))

    report = poll_once(config())
    generation.refresh_from_db()
    assert (report.polled, report.errors) == (1, 1)
    assert generation.state == "queued" and generation.poll_failures == 1
    # The engine's Retry-After is 1 s: not a moment sooner.
    assert generation.next_poll_at - generation.last_polled_at >= dt.timedelta(seconds=1)
    retry = generation.events.get(kind="retry")
    assert "HTTP 429" in retry.detail and "Rate limit exceeded" in retry.detail
    assert "429" in generation.error_detail

    monkeypatch.setattr("studio.client.sync.new_request_id", lambda: request_id_drawing(1))
    make_due(generation)
    poll_once(config())
    generation.refresh_from_db()
    assert generation.poll_failures == 2
    assert "HTTP 502" in generation.events.filter(kind="retry").last().detail
    assert generation.next_poll_at > generation.last_polled_at

    settings.ENGINE_FAULT_GET_RATE = 0.0
    make_due(generation)
    poll_once(config())
    generation.refresh_from_db()
    assert generation.poll_failures == 0 and generation.error_detail == ""
    assert generation.state == "queued"  # kept and polled all along


def test_engine_faults_are_survived(engine: Client, personas: Personas, settings: Any) -> None:
    """With renders and GETs failing at random, every generation still ends up settled."""
    generations = [submit(engine, personas) for _ in range(5)]
    settings.ENGINE_FAULT_RENDER_RATE = 0.3
    for attempt in range(40):
        # Every GET of the first pass fails, so faults are certain to happen; then
        # a share of them, drawn at random by the engine.
        settings.ENGINE_FAULT_GET_RATE = 1.0 if attempt == 0 else 0.4
        run_pending_renders()
        make_due(*generations)
        poll_once(config())
        states = Generation.objects.filter(id__in=[g.id for g in generations])
        if all(g.state == "failed" or g.outputs_ready for g in states):
            break
    retries = 0
    for generation in generations:
        generation.refresh_from_db()
        assert generation.state in ("completed", "failed")
        if generation.state == "completed":
            assert generation.outputs_ready
            assert generation.outputs.filter(kind="video").exists()
        else:
            assert generation.failure_code == "generation_failed"
        retries += generation.events.filter(kind="retry").count()
    assert retries > 0  # the faults did happen


def test_an_hdr_exr_generation_keeps_both_outputs_and_a_preview(
    engine: Client, personas: Personas
) -> None:
    generation = submit(engine, personas, resolution="720p", hdr=True, exr_export=True)
    run_pending_renders()
    poll_once(config())
    generation.refresh_from_db()
    assert generation.outputs_ready
    kinds = dict(generation.outputs.values_list("kind", "codec"))
    assert kinds == {"video": "hevc", "exr": "", "preview": "h264", "poster": "", "thumbs": ""}
    assert generation.outputs.get(kind="video").hdr is True
    exr = generation.outputs.get(kind="exr")
    data = (Path(settings.MEDIA_ROOT) / exr.file.name).read_bytes()
    assert data[:2] == b"PK" and hashlib.sha256(data).hexdigest() == exr.sha256


def test_two_pollers_never_download_the_same_output_twice(
    engine: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    generations = [submit(engine, personas) for _ in range(6)]
    run_pending_renders()
    downloads: Counter[str] = Counter()
    lock = threading.Lock()
    real_download = Client.download

    def counted(self: Client, url: str, dest: Path) -> Any:
        with lock:
            downloads[url.split("?")[0]] += 1
        return real_download(self, url, dest)

    monkeypatch.setattr(Client, "download", counted)
    errors: list[BaseException] = []

    def poller(name: str) -> None:
        from django.db import connections

        try:
            for _ in range(3):
                poll_once(PollerConfig.from_settings(owner=name, batch=2))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poller, args=(f"poller-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for generation in generations:
        generation.refresh_from_db()
        assert generation.outputs_ready
        assert generation.events.filter(kind="downloaded").count() == 1
    assert len(downloads) == len(generations)
    assert set(downloads.values()) == {1}
    assert Output.objects.filter(kind="video").count() == len(generations)


def test_a_derivation_cut_short_by_a_killed_poller_is_taken_up_within_a_minute(
    engine: Client, personas: Personas, settings: Any, tmp_path: Path
) -> None:
    """A real poller process is killed while it derives an HDR clip's media; another takes
    the row up once the dead one's lease runs out (renewed while it worked, so short)."""
    generation = submit(engine, personas, resolution="720p", hdr=True)
    assert run_pending_renders() == 1
    env = studio_env(
        tmp_path,
        DATABASE_URL=shared_database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        LUMA_BASE_URL=settings.LUMA_BASE_URL,
        LUMA_AGENTS_API_KEY=settings.LUMA_AGENTS_API_KEY,
        POLLER_LEASE_SECONDS="6",
    )
    poller = subprocess.Popen(
        [sys.executable, "manage.py", "poll"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    folder = outputs.folder_of(generation)
    try:

        def deriving() -> bool:
            # The download is kept (a row) and derived media are being written.
            return Output.objects.filter(generation=generation, kind="video").exists() or (
                folder.is_dir() and any(p.name.startswith(".") for p in folder.iterdir())
            )

        until(deriving, timeout=120, what="the poller to start deriving", every=0.02)
        poller.kill()
        poller.wait()
        killed = time.monotonic()
        generation.refresh_from_db()
        assert not generation.outputs_ready, "derived before the kill: nothing was cut short"

        def taken_up() -> bool:
            poll_once(config("second"))
            generation.refresh_from_db()
            return generation.outputs_ready

        until(taken_up, timeout=60, what="another poller to take the row up", every=0.25)
        assert time.monotonic() - killed < 60
    finally:
        poller.kill()
        poller.wait()
    assert sorted(p.name for p in folder.iterdir()) == [
        "poster.jpg",
        "preview.mp4",
        "thumbs.jpg",
        "video.mp4",
    ]
    video = generation.outputs.get(kind="video")
    assert video.sha256 == hashlib.sha256((folder / "video.mp4").read_bytes()).hexdigest()
