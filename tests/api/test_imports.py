"""Importing a generation made elsewhere by its id (POST /api/v1/imports)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from studio.generations.models import Generation
from tests.conftest import Personas
from tests.factories import make_generation

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/imports"


def post(client: Client, token: str, data: Any) -> Any:
    return client.post(
        URL,
        json.dumps(data),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def made_on_the_engine(engine: str) -> str:
    """A generation created straight on the API (not through the studio)."""
    from django.conf import settings

    from studio.client import Client as ApiClient

    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a lighthouse at dusk",
        "video": {"resolution": "360p", "duration": "5s"},
    }
    with ApiClient(engine, settings.LUMA_AGENTS_API_KEY) as api:
        return api.create_generation(body)["id"]


def test_a_known_generation_is_imported_once_then_kept(
    client: Client, personas: Personas, api_tokens: dict, engine: str
) -> None:
    from studio.engine.testing import run_pending_renders
    from studio.generations.poller import PollerConfig, poll_once

    remote_id = made_on_the_engine(engine)
    response = post(client, api_tokens["editor"], {"remote_id": remote_id})
    assert response.status_code == 201, response.content
    record = response.json()
    assert (record["remote_id"], record["state"], record["action"]) == (
        remote_id,
        "queued",
        "import",
    )
    generation = Generation.objects.get()
    assert (generation.team, generation.author, generation.api_base_url) == (
        personas.team,
        personas.editor,
        engine,
    )
    assert generation.next_poll_at is not None  # the poller takes it from here

    again = post(client, api_tokens["owner"], {"remote_id": remote_id.upper()})
    assert again.status_code == 200
    assert again.json()["id"] == record["id"]
    assert Generation.objects.count() == 1

    run_pending_renders()
    Generation.objects.update(next_poll_at=timezone.now())
    poll_once(PollerConfig.from_settings(owner="import-test"))
    generation.refresh_from_db()
    assert generation.state == "completed" and generation.outputs_ready
    record = client.get(
        f"/api/v1/generations/{generation.id}",
        headers={"Authorization": f"Bearer {api_tokens['viewer']}"},
    ).json()
    assert "video" in {o["type"] for o in record["outputs"]}


def test_an_id_the_api_does_not_know_is_its_404(
    client: Client, api_tokens: dict, engine: str
) -> None:
    response = post(client, api_tokens["editor"], {"remote_id": str(uuid.uuid4())})
    assert response.status_code == 404
    assert response.json() == {"detail": "Generation not found"}
    assert not Generation.objects.exists()


def test_another_teams_record_is_404(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    theirs = make_generation(personas.other_team, personas.outsider)
    response = post(client, api_tokens["editor"], {"remote_id": str(theirs.remote_id)})
    assert response.status_code == 404
    assert response.json() == {"detail": "Generation not found"}
    ours = make_generation(personas.team, personas.owner)
    response = post(client, api_tokens["editor"], {"remote_id": str(ours.remote_id)})
    assert response.status_code == 200 and response.json()["id"] == str(ours.id)


@pytest.mark.parametrize(
    "data",
    [{}, {"remote_id": "not-a-uuid"}, {"remote_id": 7}, {"remote_id": str(uuid.uuid4()), "x": 1}],
)
def test_a_bad_body_is_400(
    client: Client, api_tokens: dict, api_configured: str, data: dict
) -> None:
    response = post(client, api_tokens["editor"], data)
    assert response.status_code == 400
    assert not Generation.objects.exists()


def test_an_unreachable_api_is_502(client: Client, api_tokens: dict, api_configured: str) -> None:
    response = post(client, api_tokens["editor"], {"remote_id": str(uuid.uuid4())})
    assert response.status_code == 502
    assert response.json()["detail"].startswith("The generation API could not be reached")
    assert not Generation.objects.exists()


def test_no_api_is_503_and_a_reviewer_is_403(
    client: Client, api_tokens: dict, settings: Any
) -> None:
    settings.LUMA_BASE_URL = ""
    response = post(client, api_tokens["editor"], {"remote_id": str(uuid.uuid4())})
    assert response.status_code == 503
    assert post(client, api_tokens["reviewer"], {"remote_id": str(uuid.uuid4())}).status_code == 403
