"""/healthz, /readyz and /metrics, with heartbeats written by the real worker commands."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from studio.client import Client as ApiClient
from studio.engine.testing import create_key
from studio.generations.models import ApiGovernor, Generation
from studio.workers.models import Heartbeat
from tests.conftest import Personas

METRICS_TOKEN = "a metrics token for the tests"


def once(*commands: str) -> None:
    """One pass of each worker command, as `manage.py COMMAND --once` runs it.

    Their tests are transactional: the commands recycle connections, as in production.
    """
    for command in commands:
        call_command(command, "--once", stdout=StringIO())


def test_healthz_answers_without_sign_in(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_exempt_from_the_https_redirect(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    assert client.get("/accounts/signin/").status_code == 301


@pytest.mark.django_db
def test_readyz_names_the_roles_no_worker_beats_for(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok" and body["checks"]["storage"] == "ok"
    assert body["failing"] == ["engine: missing", "poller: missing", "sender: missing"]


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_once_each_worker_has_beaten_then_503_when_one_is_stale(
    client: Client,
) -> None:
    once("poll", "send", "engine_worker")
    assert set(Heartbeat.objects.values_list("role", flat=True)) == {"poller", "sender", "engine"}

    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    # Nothing about the machines: no host names, no process ids.
    instance = Heartbeat.objects.get(role="poller").instance
    assert instance.encode() not in response.content

    Heartbeat.objects.filter(role="poller").update(
        beat_at=timezone.now() - dt.timedelta(minutes=10)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["poller: stale"]

    # Another poller beating is enough: the role is alive.
    once("poll")
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_no_engine_worker_is_expected_where_the_engine_is_off(
    client: Client, settings: Any
) -> None:
    once("poll", "send")
    assert client.get("/readyz").status_code == 503
    settings.ENGINE_ENABLED = False
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert "engine" not in response.json()["checks"]


@pytest.mark.django_db(transaction=True)
def test_readyz_names_storage_that_cannot_be_written(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    once("poll", "send", "engine_worker")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage: down"]
    assert str(tmp_path).encode() not in response.content


@pytest.mark.django_db
def test_metrics_are_not_there_without_a_token_configured(client: Client) -> None:
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404


@pytest.mark.django_db
def test_metrics_want_the_metrics_token(client: Client, settings: Any) -> None:
    settings.STUDIO_METRICS_TOKEN = METRICS_TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not the token"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == "Bearer"
    right = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain")


def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by (name, sorted labels), parsed by prometheus_client."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.mark.django_db(transaction=True)
def test_metrics_from_real_passes_of_the_engine_worker_and_the_poller(
    client: Client, settings: Any, live_server: Any, personas: Personas
) -> None:
    settings.STUDIO_METRICS_TOKEN = METRICS_TOKEN
    settings.LUMA_BASE_URL = f"{live_server.url}/v1"
    settings.LUMA_AGENTS_API_KEY = key = create_key("metrics")
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a lighthouse at dusk",
        "video": {"resolution": "360p", "duration": "5s"},
    }
    with ApiClient(settings.LUMA_BASE_URL, key) as api:
        answer = api.create_generation(body)
    common = {
        "team": personas.team,
        "author": personas.editor,
        "prompt": body["prompt"],
        "request": body,
        "resolution": "360p",
        "api_base_url": settings.LUMA_BASE_URL,
        "submitted_at": timezone.now(),
        "next_poll_at": timezone.now(),
    }
    Generation.objects.create(remote_id=answer["id"], state="queued", **common)
    # One the engine never heard of: its GET is a 404.
    Generation.objects.create(remote_id=uuid.uuid4(), state="queued", **common)
    governor = ApiGovernor.objects.create(fingerprint="f1e2d3c4b5a6" * 4, base_url="http://a/v1")
    for _ in range(3):
        Generation.objects.create(
            state="waiting", governor=governor, **{**common, "submitted_at": None}
        )

    once("engine_worker", "poll")
    samples = scrape(client)

    assert samples[("studio_generations", (("state", "waiting"),))] == 3
    assert samples[("studio_generations", (("state", "completed"),))] == 1
    assert samples[("studio_generations", (("state", "queued"),))] == 1
    assert samples[("studio_generations", (("state", "failed"),))] == 0
    waiting = (("base_url", "http://a/v1"), ("key", "f1e2d3c4"))
    assert samples[("studio_waiting_generations", waiting)] == 3
    assert samples[("studio_poll_pass_seconds_count", ())] == 1
    assert samples[("studio_poll_pass_seconds_sum", ())] > 0
    assert samples[("studio_poll_get_errors_total", (("status", "404"),))] == 1
    assert samples[("studio_download_seconds_count", ())] == 1
    assert samples[("studio_render_seconds_count", ())] == 1
    assert samples[("studio_render_seconds_bucket", (("le", "+Inf"),))] == 1
    assert samples[("studio_render_seconds_sum", ())] > 0

    # A second pass adds to the same totals (the poller's heartbeat row carries them).
    once("poll")
    assert scrape(client)[("studio_poll_pass_seconds_count", ())] == 2

    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).content
    assert key.encode() not in text


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_forgets_processes_silent_for_a_week() -> None:
    old = Heartbeat.objects.create(
        role="poller", instance="gone:1", beat_at=timezone.now() - dt.timedelta(days=8)
    )
    recent = Heartbeat.objects.create(
        role="poller", instance="gone:2", beat_at=timezone.now() - dt.timedelta(days=6)
    )
    once("send")
    assert not Heartbeat.objects.filter(pk=old.pk).exists()
    assert Heartbeat.objects.filter(pk=recent.pk).exists()
