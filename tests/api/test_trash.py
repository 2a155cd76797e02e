"""The API's trash: trash and restore, ``?trashed=true``, and a purged record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from studio.generations import trash
from studio.generations.models import Generation
from studio.teams.models import Team
from tests.api.test_generations import URL, get, post, ray
from tests.conftest import Personas
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.django_db


def url(generation: Generation, what: str) -> str:
    return f"{URL}/{generation.id}/{what}"


def test_trash_and_restore_through_the_api(
    client: Client, personas: Personas, api_tokens: dict
) -> None:
    take = make_generation(personas.team, personas.editor, prompt="mine")
    kept = make_generation(personas.team, personas.editor, prompt="kept")
    token = api_tokens["editor"]

    answer = post(client, token, url(take, "trash"), {})
    assert answer.status_code == 200, answer.content
    assert answer.json()["trashed_at"] is not None and answer.json()["purged_at"] is None

    listed = get(client, token, URL).json()["generations"]
    assert [g["id"] for g in listed] == [str(kept.id)]
    trashed = get(client, token, f"{URL}?trashed=true").json()["generations"]
    assert [g["id"] for g in trashed] == [str(take.id)]
    # A trashed generation can still be read by its id.
    assert get(client, token, f"{URL}/{take.id}").json()["trashed_at"] is not None

    again = post(client, token, url(take, "trash"), {})
    assert again.status_code == 409 and "already in the trash" in again.json()["detail"]

    restored = post(client, token, url(take, "restore"), {})
    assert restored.status_code == 200 and restored.json()["trashed_at"] is None
    assert len(get(client, token, URL).json()["generations"]) == 2


def test_trashed_must_be_true_or_false(
    client: Client, personas: Personas, api_tokens: dict
) -> None:
    answer = get(client, api_tokens["viewer"], f"{URL}?trashed=yes")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "trashed: must be true or false"


def test_same_roles_as_the_pages(client: Client, personas: Personas, api_tokens: dict) -> None:
    owners = make_generation(personas.team, personas.owner)
    refused = post(client, api_tokens["editor"], url(owners, "trash"), {})
    assert refused.status_code == 403
    assert refused.json()["detail"] == trash.NOT_YOURS
    for role in ("reviewer", "viewer"):
        assert post(client, api_tokens[role], url(owners, "trash"), {}).status_code == 403
    assert post(client, api_tokens["outsider"], url(owners, "trash"), {}).status_code == 404
    assert post(client, api_tokens["owner"], url(owners, "trash"), {}).status_code == 200


def test_an_unfinished_generation_is_a_409(
    client: Client, personas: Personas, api_tokens: dict
) -> None:
    waiting = make_generation(personas.team, personas.editor, state=Generation.State.WAITING)
    answer = post(client, api_tokens["editor"], url(waiting, "trash"), {})
    assert answer.status_code == 409
    assert answer.json()["detail"] == trash.NOT_FINISHED.format(state="waiting")


def test_a_purged_record_has_no_outputs_and_its_urls_are_gone(
    client: Client, personas: Personas, api_tokens: dict
) -> None:
    take = make_generation(personas.team, personas.editor)
    outputs = add_media(take, frames=4)
    token = api_tokens["editor"]
    record = get(client, token, f"{URL}/{take.id}").json()
    output_urls = [o["url"] for o in record["outputs"]]
    assert len(output_urls) == 3
    page_url = reverse("generations:media", args=[outputs["video"].file.name])

    post(client, token, url(take, "trash"), {})
    assert trash.purge(take.id)

    record = get(client, token, f"{URL}/{take.id}").json()
    assert record["outputs"] == [] and record["purged_at"] is not None
    assert record["remote_id"] == str(take.remote_id) and record["price"] == "0.30"
    for old in output_urls:
        answer = get(client, token, old)
        assert answer.status_code == 410
        assert answer.json()["detail"] == trash.PURGED_OUTPUTS
    client.force_login(personas.editor)
    assert client.get(page_url).status_code == 404
    restore = post(client, token, url(take, "restore"), {})
    assert restore.status_code == 409 and "purged" in restore.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_over_the_storage_quota_a_compose_is_refused(
    client: Client, personas: Personas, api_tokens: dict, api_configured: Any
) -> None:
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=4)
    Team.objects.filter(pk=personas.team.pk).update(storage_quota_bytes=1000)
    before = Generation.objects.count()

    answer = post(client, api_tokens["editor"], URL, {"request": ray()})

    assert answer.status_code == 409, answer.content
    assert "storage quota" in answer.json()["detail"]
    assert Generation.objects.count() == before
    # Room again (a larger quota): the same compose is recorded.
    Team.objects.filter(pk=personas.team.pk).update(storage_quota_bytes=10**9)
    assert post(client, api_tokens["editor"], URL, {"request": ray()}).status_code == 201
