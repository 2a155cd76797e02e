"""A download cut off half-way (a killed poller or a dropped connection) never counts as done.

The local engine cannot drop a connection on demand, so a scripted server on loopback
serves this one case.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from studio.client._io import DownloadSink
from studio.generations.models import Generation
from studio.generations.poller import PollerConfig, outputs, poll_once
from tests.conftest import Personas
from tests.poller.conftest import ScriptedApi


def test_a_new_pass_finishes_what_a_killed_one_left(
    make_generation: Any,
    scripted_api: ScriptedApi,
    sdr_clip: Path,
    settings: Any,
    monkeypatch: Any,
) -> None:
    settings.LUMA_AGENTS_API_KEY = "luma-api-scripted"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1")
    data = sdr_clip.read_bytes()
    scripted_api.files["clip.mp4"] = data
    scripted_api.completed(str(generation.remote_id), video="clip.mp4")
    scripted_api.cut_after["clip.mp4"] = len(data) // 2
    # A killed process never gets to clean up its temporary file.
    monkeypatch.setattr(DownloadSink, "abort", lambda self: None)

    report = poll_once(PollerConfig.from_settings(owner="first"))

    generation.refresh_from_db()
    folder = outputs.folder_of(generation)
    assert report.failed_downloads == 1
    assert generation.state == "completed" and not generation.outputs_ready
    assert not generation.outputs.exists()
    assert not (folder / "video.mp4").exists()
    leftovers = [p for p in folder.iterdir() if p.name.endswith(".part")]
    # (A dropped connection is asked once more at once, so there may be two.)
    assert leftovers and all(0 < p.stat().st_size < len(data) for p in leftovers)
    retry = generation.events.get(kind="retry")
    assert retry.detail.startswith("download: ")
    assert generation.lease_owner == ""

    monkeypatch.undo()
    del scripted_api.cut_after["clip.mp4"]
    Generation.objects.filter(id=generation.id).update(next_poll_at=generation.last_polled_at)
    report = poll_once(PollerConfig.from_settings(owner="second"))

    generation.refresh_from_db()
    assert report.downloaded == 1 and generation.outputs_ready
    video = generation.outputs.get(kind="video")
    kept = (Path(settings.MEDIA_ROOT) / video.file.name).read_bytes()
    assert kept == data
    assert video.sha256 == hashlib.sha256(data).hexdigest() and video.size_bytes == len(data)
    assert sorted(p.name for p in folder.iterdir()) == ["poster.jpg", "thumbs.jpg", "video.mp4"]


def test_a_completed_answer_without_video_is_retried_not_lost(
    make_generation: Any, scripted_api: ScriptedApi, settings: Any
) -> None:
    settings.LUMA_AGENTS_API_KEY = "luma-api-scripted"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1")
    scripted_api.completed(str(generation.remote_id))
    poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert generation.state == "completed" and not generation.outputs_ready
    assert "without a video output" in generation.error_detail
    assert generation.next_poll_at > generation.last_polled_at


def test_an_unknown_generation_stays_on_record(
    make_generation: Any, scripted_api: ScriptedApi, settings: Any
) -> None:
    settings.LUMA_AGENTS_API_KEY = "luma-api-scripted"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1")
    poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert generation.state == "queued" and generation.poll_failures == 1
    assert "Generation not found" in generation.events.get(kind="retry").detail


def test_a_connection_closed_without_answer_is_asked_again_once(
    make_generation: Any, scripted_api: ScriptedApi, settings: Any
) -> None:
    settings.LUMA_AGENTS_API_KEY = "luma-api-scripted"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1")
    scripted_api.answers[str(generation.remote_id)] = {
        "id": str(generation.remote_id),
        "state": "processing",
        "output": [],
    }
    scripted_api.drop_gets = 1
    report = poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert (report.polled, report.errors) == (1, 0)
    assert generation.state == "processing" and generation.started_at is not None
    assert len(scripted_api.requests) == 2

    # Twice in a row is not a stale connection any more: recorded and rescheduled.
    scripted_api.drop_gets = 2
    Generation.objects.filter(id=generation.id).update(next_poll_at=generation.last_polled_at)
    report = poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert report.errors == 1 and generation.poll_failures == 1
    assert generation.events.filter(kind="retry").count() == 1


def test_an_undecodable_video_is_kept_and_retried_never_ready(
    make_generation: Any, scripted_api: ScriptedApi, settings: Any
) -> None:
    settings.LUMA_AGENTS_API_KEY = "luma-api-scripted"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1")
    scripted_api.files["broken.mp4"] = b"not a video at all" * 100
    scripted_api.completed(str(generation.remote_id), video="broken.mp4")
    report = poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert report.failed_downloads == 1 and not generation.outputs_ready
    assert generation.outputs.get().kind == "video"  # the download itself is kept
    assert generation.events.get(kind="retry").detail.startswith("derive: ")
    assert generation.next_poll_at > generation.last_polled_at

    # The next pass does not download it again; it only retries the derivation.
    Generation.objects.filter(id=generation.id).update(next_poll_at=generation.last_polled_at)
    downloads_before = scripted_api.requests.count("/files/broken.mp4")
    poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert scripted_api.requests.count("/files/broken.mp4") == downloads_before
    assert generation.poll_failures == 2 and not generation.outputs_ready


def test_a_missing_api_key_is_recorded_not_fatal(make_generation: Any, settings: Any) -> None:
    generation = make_generation()
    settings.LUMA_AGENTS_API_KEY = ""
    report = poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert report.claimed == 1 and generation.state == "queued"
    assert "No API key is configured for" in generation.events.get(kind="retry").detail
    assert generation.lease_owner == ""


def test_a_key_is_never_sent_to_another_api(
    make_generation: Any, scripted_api: Any, personas: Personas, settings: Any
) -> None:
    """A team that pointed its API elsewhere, sent, then cleared it: no studio key there."""
    personas.team.api_base_url = f"{scripted_api.url}/v1"
    personas.team.api_key = "luma-api-team"
    personas.team.save()
    settings.LUMA_BASE_URL, settings.LUMA_AGENTS_API_KEY = "http://127.0.0.1:9/v1", "luma-api-own"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1", api_source="team")
    personas.team.api_base_url = personas.team.api_key = ""
    personas.team.save()
    poll_once(PollerConfig.from_settings(owner="p"))
    generation.refresh_from_db()
    assert scripted_api.requests == []  # nothing reached that API, with any key
    assert "No API key is configured for" in generation.error_detail
