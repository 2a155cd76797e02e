"""The render worker's step: claims, restart recovery, moderation, faults, bad inputs."""

from __future__ import annotations

import base64
import io
import os
import signal
import sqlite3
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from studio.engine import scratch
from studio.engine.jobs import MAX_ATTEMPTS, claim, process_one
from studio.engine.models import EngineGeneration
from studio.engine.testing import run_pending_renders
from tests.engine.test_generations import text_body
from tests.factories import gradient_png, png
from tests.processes import (
    descendants,
    free_port,
    kill_all,
    leftovers,
    short_tempdir,
    start_runstudio,
    studio_env,
    survivors,
    until,
    wait_for,
)

State = EngineGeneration.State


def _create(api: httpx.Client, **video: object) -> str:
    response = api.post("/generations", json=text_body(**video))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _state(api: httpx.Client, generation: str) -> dict[str, object]:
    return api.get(f"/generations/{generation}").json()


def test_a_job_is_claimed_by_one_worker_only(api: httpx.Client) -> None:
    _create(api)
    first = claim("worker-a")
    assert first is not None and first.state == State.PROCESSING
    assert claim("worker-b") is None


def test_a_render_killed_mid_way_is_picked_up_again(api: httpx.Client) -> None:
    generation = _create(api)
    # As a worker that died leaves it: processing, lease run out.
    EngineGeneration.objects.filter(id=generation).update(
        state=State.PROCESSING,
        lease_owner="dead-worker",
        lease_until=timezone.now() - timedelta(seconds=1),
        attempts=1,
    )
    assert _state(api, generation)["state"] == "processing"
    assert run_pending_renders() == 1
    assert _state(api, generation)["state"] == "completed"
    assert EngineGeneration.objects.get(id=generation).attempts == 2


def test_a_live_lease_is_left_alone(api: httpx.Client) -> None:
    generation = _create(api)
    EngineGeneration.objects.filter(id=generation).update(
        state=State.PROCESSING,
        lease_owner="busy",
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    assert run_pending_renders() == 0
    assert _state(api, generation)["state"] == "processing"


def test_a_job_that_keeps_dying_is_failed_not_stuck(api: httpx.Client) -> None:
    generation = _create(api)
    EngineGeneration.objects.filter(id=generation).update(
        state=State.PROCESSING,
        lease_owner="dead-worker",
        lease_until=timezone.now() - timedelta(seconds=1),
        attempts=MAX_ATTEMPTS,
    )
    assert run_pending_renders() == 0
    body = _state(api, generation)
    assert (body["state"], body["failure_code"], body["failure_reason"]) == (
        "failed",
        "generation_failed",
        "Generation failed",
    )


def test_a_stopping_worker_puts_the_job_back(api: httpx.Client) -> None:
    generation = _create(api)
    assert process_one("leaving", stop=lambda: True)
    record = EngineGeneration.objects.get(id=generation)
    assert (record.state, record.attempts, record.lease_owner) == (State.QUEUED, 0, "")
    assert run_pending_renders() == 1
    assert _state(api, generation)["state"] == "completed"


def test_worker_command_once_renders_the_queue(transactional_db: None, api: httpx.Client) -> None:
    # Transactional: the command recycles connections between passes, as in production.
    generation = _create(api)
    out = io.StringIO()
    call_command("engine_worker", "--once", stdout=out)
    assert "Rendered 1 generation(s)." in out.getvalue()
    assert _state(api, generation)["state"] == "completed"


def test_moderation_words_fail_the_generation(api: httpx.Client, settings: object) -> None:
    settings.ENGINE_MODERATION_WORDS = ["gore"]  # type: ignore[attr-defined]
    body = text_body()
    body["prompt"] = "A scene full of GORE"
    generation = api.post("/generations", json=body).json()["id"]
    run_pending_renders()
    state = _state(api, generation)
    assert state["state"] == "failed"
    assert state["failure_code"] == "content_moderated"
    assert state["failure_reason"] == (
        "Generation output was flagged by our content moderation system."
    )
    assert state["output"] == []


def test_render_faults(api: httpx.Client, settings: object) -> None:
    settings.ENGINE_FAULT_RENDER_RATE = 1.0  # type: ignore[attr-defined]
    generation = _create(api)
    run_pending_renders()
    state = _state(api, generation)
    assert (state["state"], state["failure_code"], state["failure_reason"]) == (
        "failed",
        "generation_failed",
        "Generation failed",
    )


def test_get_faults_are_429_or_502_and_repeatable(api: httpx.Client, settings: object) -> None:
    generation = _create(api)
    settings.ENGINE_FAULT_GET_RATE = 1.0  # type: ignore[attr-defined]
    seen = {}
    for n in range(12):
        response = api.get(f"/generations/{generation}", headers={"X-Request-Id": f"r{n}"})
        seen[n] = response.status_code
        if response.status_code == 429:
            assert response.headers["Retry-After"] == "1"
            assert response.json() == {"detail": "Rate limit exceeded"}
        else:
            assert response.status_code == 502
            assert response.json() == {"detail": "Upstream service unavailable"}
        again = api.get(f"/generations/{generation}", headers={"X-Request-Id": f"r{n}"})
        assert again.status_code == response.status_code
    assert set(seen.values()) == {429, 502}
    settings.ENGINE_FAULT_GET_RATE = 0.3  # type: ignore[attr-defined]
    answers = [
        api.get(f"/generations/{generation}", headers={"X-Request-Id": f"s{n}"}).status_code
        for n in range(40)
    ]
    assert 200 in answers and len(set(answers)) > 1


def _data_ref(raw: bytes, media_type: str = "image/png") -> dict[str, str]:
    return {"data": base64.b64encode(raw).decode(), "media_type": media_type}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"this is not an image at all", "unsupported_format"),
        (gradient_png()[:60], "corrupt_input"),
        (png(8001, 2, (0, 0, 0)), "image_too_large"),
    ],
)
def test_bad_images_fail_with_their_code(api: httpx.Client, raw: bytes, code: str) -> None:
    generation = _create(api, start_frame=_data_ref(raw))
    assert run_pending_renders() == 1
    state = _state(api, generation)
    assert (state["state"], state["failure_code"]) == ("failed", code)
    assert state["failure_reason"]


def test_scratch_is_swept_unless_its_attempt_runs_under_a_live_lease(
    api: httpx.Client, settings: object
) -> None:
    """The rule that lets any worker sweep while others render."""
    running, expired, finished, queued = (_create(api) for _ in range(4))
    soon, gone = timezone.now() + timedelta(minutes=1), timezone.now() - timedelta(seconds=1)
    for generation, state, until_, attempts in (
        (running, State.PROCESSING, soon, 2),
        (expired, State.PROCESSING, gone, 1),
        (finished, State.COMPLETED, None, 1),
        (queued, State.QUEUED, None, 0),
    ):
        EngineGeneration.objects.filter(id=generation).update(
            state=state, lease_owner="w", lease_until=until_, attempts=attempts
        )
    root = scratch.root()
    kept = root / f"{running}.2"
    stale = [root / f"{running}.1", root / f"{expired}.1", root / f"{finished}.1"]
    stale.append(root / f"{queued}.1")
    stranger = root / "not-a-scratch-folder"
    for folder in [kept, *stale, stranger]:
        folder.mkdir(parents=True)
        (folder / ".video-partial.mp4").write_bytes(b"x" * 100)

    assert scratch.sweep() == 4
    assert sorted(p.name for p in root.iterdir()) == sorted([kept.name, stranger.name])


def test_a_render_s_scratch_is_gone_when_it_ends_either_way(
    api: httpx.Client, settings: object
) -> None:
    done = _create(api, resolution="720p", hdr=True, exr_export=True)
    stopped = _create(api)
    assert process_one("w")
    assert process_one("leaving", stop=lambda: True)
    assert _state(api, done)["state"] == "completed"
    assert EngineGeneration.objects.get(id=stopped).state == State.QUEUED
    root = Path(settings.ENGINE_MEDIA_ROOT)  # type: ignore[attr-defined]
    assert sorted(p.name for p in (root / done / "out").iterdir()) == [
        "frames_exr.zip",
        "video.mp4",
    ]
    assert leftovers(root) == []


def test_a_killed_render_leaves_no_process_and_no_file_behind(tmp_path: Path) -> None:
    """SIGKILL the engine worker mid HDR + EXR render: its helpers die with it, and the
    render is taken up again, its scratch swept, by the worker started in its place."""
    with short_tempdir() as temp:
        _kill_a_render(tmp_path / "data", temp, tmp_path / "studio.log")


def _kill_a_render(data: Path, temp: Path, log: Path) -> None:
    port = free_port()
    env = studio_env(data, TMPDIR=str(temp), ENGINE_LEASE_SECONDS="3")
    studio = start_runstudio(port, env, "--web-workers", "1", log=log)
    seen: dict = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/accounts/signin/")
        key = (data / "engine-dev-key").read_text().strip()
        api = httpx.Client(base_url=f"{base}/v1", headers={"Authorization": f"Bearer {key}"})
        body = text_body("1:1", resolution="720p", hdr=True, exr_export=True)
        generation = api.post("/generations", json=body).json()["id"]

        def worker_with_pool() -> tuple:
            tree = descendants(studio.pid)
            workers = [p for p, cmd in tree.items() if cmd.endswith("engine_worker ")]
            if not workers:
                return ()
            below = descendants(workers[0][0])
            pool = [p for p, cmd in below.items() if "multiprocessing.forkserver" in cmd]
            frames = list((data / "engine" / ".scratch").rglob("*.exr"))
            return (workers[0], below) if len(pool) >= 2 and frames else ()

        worker, below = until(worker_with_pool, timeout=120, what="EXR frames being written")
        seen = {worker: "engine_worker", **below}
        os.kill(worker[0], signal.SIGKILL)
        assert list((data / "engine" / ".scratch").rglob("*.exr"))  # what it leaves
        left = survivors(seen, within=5)
        assert not left, [seen[p] for p in left]

        def completed() -> bool:
            return api.get(f"/generations/{generation}").json()["state"] == "completed"

        until(completed, timeout=120, what="the render to be taken up again", every=0.5)
        with sqlite3.connect(data / "studio.sqlite3") as db:
            (attempts,) = db.execute(
                "SELECT attempts FROM engine_enginegeneration WHERE id = ?",
                (generation.replace("-", ""),),
            ).fetchone()
        assert attempts == 2
        out = data / "engine" / generation / "out"
        assert sorted(p.name for p in out.iterdir()) == ["frames_exr.zip", "video.mp4"]
        assert leftovers(data / "engine") == []
    finally:
        seen.update(descendants(studio.pid))
        studio.terminate()
        studio.wait(timeout=60)
        kill_all(seen)
    # The killed worker's temp folder was swept by the next one, and that one's went
    # with it when it stopped.
    assert list(temp.iterdir()) == []
