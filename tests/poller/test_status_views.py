"""The progress JSON: team-scoped, one generation or a batch for gallery cards."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.urls import reverse

from studio.generations.models import Output
from tests.conftest import PASSWORD, Personas


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_status_of_a_generation(personas: Personas, make_generation: Any) -> None:
    generation = make_generation(state="processing")
    for role in ("owner", "editor", "reviewer", "viewer"):
        response = client_for(personas.by_role()[role]).get(
            reverse("generations:status", args=[generation.id])
        )
        assert response.status_code == 200
        data = response.json()
        assert data["id"] == str(generation.id)
        assert data["state"] == "processing"
        assert data["in_flight"] is True
        assert 0 <= data["fraction"] < 1
        assert data["outputs"] == {}
        assert response["Cache-Control"].startswith("max-age=0")


def test_outsiders_and_strangers_get_nothing(personas: Personas, make_generation: Any) -> None:
    generation = make_generation()
    url = reverse("generations:status", args=[generation.id])
    assert client_for(personas.outsider).get(url).status_code == 404
    # Not signed in: sent to the sign-in page, nothing leaks.
    response = Client().get(url)
    assert response.status_code == 302 and str(generation.id) not in response.content.decode()
    missing = reverse("generations:status", args=[uuid.uuid4()])
    assert client_for(personas.editor).get(missing).status_code == 404


def test_ready_generation_lists_its_files(personas: Personas, make_generation: Any) -> None:
    generation = make_generation(state="completed", outputs_ready=True)
    folder = f"outputs/{generation.id.hex}"
    Output.objects.create(generation=generation, kind="video", file=f"{folder}/video.mp4")
    Output.objects.create(generation=generation, kind="poster", file=f"{folder}/poster.jpg")
    layout = {"count": 10, "tile_width": 160, "tile_height": 90}
    Output.objects.create(
        generation=generation, kind="thumbs", file=f"{folder}/thumbs.jpg", meta=layout
    )
    data = (
        client_for(personas.viewer).get(reverse("generations:status", args=[generation.id])).json()
    )
    assert data["fraction"] == 1.0
    assert data["poster_url"] == reverse("generations:media", args=[f"{folder}/poster.jpg"])
    assert data["outputs"]["video"]["url"].endswith("/video.mp4")
    assert data["outputs"]["thumbs"]["layout"] == layout


def test_batch_is_filtered_by_the_persons_teams(personas: Personas, make_generation: Any) -> None:
    ours = [make_generation(), make_generation(state="failed", failure_code="budget_exhausted")]
    theirs = make_generation(team=personas.other_team, author=personas.outsider)
    ids = ",".join(str(g.id) for g in [*ours, theirs])
    url = reverse("generations:statuses")
    data = client_for(personas.reviewer).get(url, {"ids": ids}).json()["generations"]
    assert set(data) == {str(g.id) for g in ours}
    assert data[str(ours[1].id)]["failure"]["kind"] == "funds"
    data = client_for(personas.outsider).get(url, {"ids": ids}).json()["generations"]
    assert set(data) == {str(theirs.id)}


def test_batch_refuses_bad_ids_clearly(personas: Personas) -> None:
    client = client_for(personas.editor)
    url = reverse("generations:statuses")
    response = client.get(url, {"ids": "not-a-uuid"})
    assert response.status_code == 400
    assert "not a generation id" in response.json()["detail"]
    many = ",".join(str(uuid.uuid4()) for _ in range(201))
    assert client.get(url, {"ids": many}).status_code == 400
    assert client.get(url).json() == {"generations": {}}
    assert client.post(url).status_code == 405
