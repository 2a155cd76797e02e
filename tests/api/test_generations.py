"""The JSON API for generations: compose, read, list, outputs, cancel (studio/api/views)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from studio.accounts.users import create_user
from studio.generations.models import Batch, Generation, ProgressEvent
from studio.teams.models import Membership, Role
from tests.conftest import PASSWORD, Personas
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/generations"


def ray(**video: Any) -> dict[str, Any]:
    """A valid Ray 3.2 body (360p 5 s: $0.06 a take)."""
    return {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a paper boat drifting down a rain gutter",
        "aspect_ratio": "16:9",
        "video": {"resolution": "360p", "duration": "5s", **video},
    }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: Client, token: str, url: str, data: Any) -> Any:
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json", headers=auth(token))


def get(client: Client, token: str, url: str, **headers: str) -> Any:
    return client.get(url, headers={**auth(token), **headers})


def membership(personas: Personas, role: str) -> Membership:
    return Membership.objects.get(team=personas.team, user=getattr(personas, role))


# --- Compose ---------------------------------------------------------------------------


def test_three_takes_are_recorded_waiting_in_one_batch(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    response = post(client, api_tokens["editor"], URL, {"request": ray(), "takes": 3})
    assert response.status_code == 201, response.content
    records = response.json()["generations"]
    assert [r["state"] for r in records] == ["waiting"] * 3
    assert [r["take_index"] for r in records] == [0, 1, 2]
    assert len({r["batch"] for r in records}) == 1 and records[0]["batch"] is not None
    assert all(r["price"] == "0.06" and r["remote_id"] is None for r in records)
    assert all(r["waiting_reason"] for r in records)
    user_id = str(membership(personas, "editor").api_user_id)
    assert records[0]["request"] == {**ray(), "user_id": user_id}

    batch = Batch.objects.get()
    assert (batch.kind, batch.size, batch.price, batch.author) == (
        "takes",
        3,
        Decimal("0.18"),
        personas.editor,
    )
    rows = Generation.objects.filter(batch=batch)
    assert rows.count() == 3
    assert {(g.state, g.action, g.author_id, g.api_base_url) for g in rows} == {
        ("waiting", "create", personas.editor.pk, api_configured)
    }
    assert all(g.inputs_ready for g in rows)
    assert ProgressEvent.objects.filter(kind="recorded").count() == 3


def test_one_take_by_default_and_a_given_user_id_is_kept(
    client: Client, api_tokens: dict, api_configured: str
) -> None:
    response = post(client, api_tokens["owner"], URL, {"request": {**ray(), "user_id": "u-7"}})
    assert response.status_code == 201
    (record,) = response.json()["generations"]
    assert record["batch"] is None and record["take_index"] is None
    assert record["request"]["user_id"] == "u-7"
    assert Generation.objects.get().request["user_id"] == "u-7"


def test_a_prompt_list_is_one_take_per_prompt(
    client: Client, api_tokens: dict, api_configured: str
) -> None:
    prompts = ["a red kite", "a blue kite"]
    response = post(client, api_tokens["editor"], URL, {"request": ray(), "prompts": prompts})
    assert response.status_code == 201
    assert [r["request"]["prompt"] for r in response.json()["generations"]] == prompts
    batch = Batch.objects.get()
    assert (batch.kind, batch.varies, batch.size) == ("prompts", "prompt", 2)
    assert list(Generation.objects.order_by("take_index").values_list("prompt", flat=True)) == (
        prompts
    )


def test_inputs_are_passed_through_as_given(
    client: Client, api_tokens: dict, api_configured: str
) -> None:
    png = base64.b64encode(b"\x89PNG not decoded by the studio").decode()
    keyframes = [
        {"url": "https://example.com/a.png"},
        {"data": png, "media_type": "image/png"},
        {"file_id": "file_0123"},
    ]
    body = ray(keyframes=keyframes, keyframe_indexes=[0, 60, 120])
    response = post(client, api_tokens["editor"], URL, {"request": body})
    assert response.status_code == 201, response.content
    generation = Generation.objects.get()
    assert generation.request["video"]["keyframes"] == keyframes
    # Nothing to upload first: the sender sends the body as it is.
    assert generation.inputs_ready


def test_the_studios_asset_placeholders_are_refused(
    client: Client, api_tokens: dict, api_configured: str
) -> None:
    body = ray(start_frame={"file_id": "asset:1"})
    response = post(client, api_tokens["editor"], URL, {"request": body})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "video.start_frame.file_id: must be an id of the Files API"
    }
    assert not Generation.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        (
            {"request": ray(loop=True, duration="10s")},
            422,
            "video.loop: not supported with duration 10s",
        ),
        (
            {"request": ray(resolution="4k"), "takes": 2},
            400,
            "video.resolution: must be one of 360p, 540p, 720p, 1080p",
        ),
        (
            {"request": {**ray(), "aspect_ratio": "2:1"}},
            400,
            "Invalid aspect_ratio '2:1'. Valid: 1:1, 16:9, 21:9, 3:4, 4:3, 9:16",
        ),
    ],
)
def test_a_refused_take_answers_the_contract_and_records_nothing(
    client: Client, api_tokens: dict, api_configured: str, data: dict, status: int, detail: str
) -> None:
    response = post(client, api_tokens["editor"], URL, data)
    assert response.status_code == status
    assert response.json() == {"detail": detail, "take": 0}
    assert not Generation.objects.exists() and not Batch.objects.exists()


def test_the_take_at_fault_is_named(client: Client, api_tokens: dict, api_configured: str) -> None:
    prompts = ["a red kite", "x" * 6001, "a green kite"]
    response = post(client, api_tokens["editor"], URL, {"request": ray(), "prompts": prompts})
    assert response.status_code == 400
    assert response.json() == {"detail": "Prompt must be between 1 and 6000 characters", "take": 1}
    assert not Generation.objects.exists()


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ({}, "request: must be a Ray 3.2 request body (an object)"),
        ({"request": [ray()]}, "request: must be a Ray 3.2 request body (an object)"),
        ({"request": ray(), "takes": 0}, "takes: must be between 1 and 16"),
        ({"request": ray(), "takes": 17}, "takes: must be between 1 and 16"),
        ({"request": ray(), "takes": "3"}, "takes: must be between 1 and 16"),
        ({"request": ray(), "takes": True}, "takes: must be between 1 and 16"),
        ({"request": ray(), "prompts": "a kite"}, "prompts: must be a list of strings"),
        ({"request": ray(), "prompts": ["a kite", 2]}, "prompts: must be a list of strings"),
        ({"request": ray(), "prompts": []}, "prompts: must hold between 1 and 16 prompts"),
        (
            {"request": ray(), "prompts": ["a"] * 17},
            "prompts: must hold between 1 and 16 prompts",
        ),
        (
            {"request": ray(), "prompts": ["a", "b"], "takes": 2},
            "takes: not used with prompts (one take per prompt)",
        ),
        (
            {"request": ray(), "sweep": "resolution"},
            "sweep: unknown field; expected request, takes, prompts, parent",
        ),
        ({"request": ray(), "parent": "nope"}, "parent: must be a generation id (a UUID)"),
        ("[1, 2]", "The body must be a JSON object"),
        ("{not json", "The body must be a JSON object"),
    ],
)
def test_a_malformed_body_is_400_and_records_nothing(
    client: Client, api_tokens: dict, api_configured: str, data: Any, detail: str
) -> None:
    response = post(client, api_tokens["editor"], URL, data)
    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert not Generation.objects.exists()


def test_over_budget_is_402_with_the_budget_sentence(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    personas.team.monthly_budget = Decimal("0.10")
    personas.team.save()
    response = post(client, api_tokens["editor"], URL, {"request": ray(), "takes": 2})
    assert response.status_code == 402
    assert response.json() == {
        "detail": "This would exceed Northwind's monthly budget: $0.00 of $0.10 spent, "
        "these 2 takes cost up to $0.12."
    }
    assert not Generation.objects.exists()
    assert post(client, api_tokens["editor"], URL, {"request": ray()}).status_code == 201


def test_no_generation_api_is_503(client: Client, api_tokens: dict, settings: Any) -> None:
    settings.LUMA_BASE_URL = ""
    response = post(client, api_tokens["editor"], URL, {"request": ray()})
    assert response.status_code == 503
    assert response.json() == {"detail": "No generation API is configured for this studio."}
    assert not Generation.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_a_role_that_cannot_compose_is_403(
    client: Client, api_tokens: dict, api_configured: str, role: str
) -> None:
    response = post(client, api_tokens[role], URL, {"request": ray()})
    assert response.status_code == 403
    assert response.json() == {"detail": f"Your role ({role.title()}) cannot do this."}
    assert not Generation.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer studio_00000000_nothing", "Basic eDp5"])
def test_without_a_valid_token_is_401(
    client: Client, api_configured: str, personas: Personas, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post(
        URL, json.dumps({"request": ray()}), content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or invalid token"}
    assert client.get(URL, headers=headers).status_code == 401
    assert not Generation.objects.exists()


def test_a_session_is_not_a_token(client: Client, personas: Personas, api_configured: str) -> None:
    client.force_login(personas.editor)
    response = client.post(URL, json.dumps({"request": ray()}), content_type="application/json")
    assert response.status_code == 401


def test_the_parent_must_be_of_the_tokens_team(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    ours = make_generation(personas.team, personas.owner)
    theirs = make_generation(personas.other_team, personas.outsider)
    response = post(client, api_tokens["editor"], URL, {"request": ray(), "parent": str(ours.id)})
    assert response.status_code == 201
    assert response.json()["generations"][0]["parent"] == str(ours.id)
    for parent in (theirs.id, uuid.uuid4()):
        response = post(
            client, api_tokens["editor"], URL, {"request": ray(), "parent": str(parent)}
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "parent: no such generation"}
    assert Generation.objects.filter(team=personas.team).count() == 2


# --- Read ------------------------------------------------------------------------------


RECORD_KEYS = {
    "id",
    "remote_id",
    "state",
    "waiting_reason",
    "batch",
    "take_index",
    "parent",
    "action",
    "request",
    "price",
    "price_estimated",
    "created_at",
    "submitted_at",
    "finished_at",
    "failure_code",
    "failure_reason",
    "trashed_at",
    "purged_at",
    "outputs",
}


def test_a_record_and_its_stored_outputs(
    client: Client, personas: Personas, api_tokens: dict
) -> None:
    now = timezone.now()
    take = make_generation(
        personas.team, personas.editor, submitted_at=now, finished_at=now, price=Decimal("0.3")
    )
    outputs = add_media(take, frames=12)
    response = get(client, api_tokens["viewer"], f"{URL}/{take.id}")
    assert response.status_code == 200
    record = response.json()
    assert set(record) == RECORD_KEYS
    assert record["id"] == str(take.id) and record["remote_id"] == str(take.remote_id)
    assert (record["state"], record["waiting_reason"], record["price"]) == (
        "completed",
        None,
        "0.30",
    )
    assert record["created_at"].endswith("Z") and record["finished_at"].endswith("Z")
    assert record["failure_code"] is None and record["request"] == take.request
    assert [o["type"] for o in record["outputs"]] == ["video", "poster", "thumbs"]
    video = record["outputs"][0]
    assert video["url"] == f"http://testserver/api/v1/generations/{take.id}/outputs/video"
    assert video["bytes"] == outputs["video"].size_bytes

    response = get(client, api_tokens["viewer"], video["url"])
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data == outputs["video"].file.open("rb").read()
    assert len(data) == video["bytes"]
    assert "Authorization" in response["Vary"]
    response = get(client, api_tokens["viewer"], video["url"], Range="bytes=0-9")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == data[:10]
    assert get(client, api_tokens["viewer"], f"{URL}/{take.id}/outputs/exr").status_code == 404


def test_a_generation_of_another_team_is_404(
    client: Client, personas: Personas, api_tokens: dict
) -> None:
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=6)
    for url in (f"{URL}/{take.id}", f"{URL}/{take.id}/outputs/video", f"{URL}/{uuid.uuid4()}"):
        response = get(client, api_tokens["outsider"], url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Generation not found"}


def test_a_member_of_two_teams_sees_only_the_tokens_team(
    client: Client, personas: Personas
) -> None:
    from studio.api.tokens import issue

    Membership.objects.create(team=personas.other_team, user=personas.editor, role=Role.EDITOR)
    take = make_generation(personas.team, personas.editor)
    _, elsewhere = issue(personas.editor, personas.other_team, "elsewhere")
    assert get(client, elsewhere, f"{URL}/{take.id}").status_code == 404
    assert get(client, elsewhere, URL).json()["generations"] == []


# --- List ------------------------------------------------------------------------------


def test_pages_run_newest_first_and_the_cursor_walks_them_all(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    post(client, api_tokens["editor"], URL, {"request": ray()})
    post(client, api_tokens["editor"], URL, {"request": ray(), "takes": 3})  # same created_at
    post(client, api_tokens["owner"], URL, {"request": ray()})
    make_generation(personas.other_team, personas.outsider)
    expected = [
        str(i)
        for i in Generation.objects.filter(team=personas.team)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    ]
    seen, cursor, pages = [], None, 0
    while True:
        url = f"{URL}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        response = get(client, api_tokens["viewer"], url)
        assert response.status_code == 200
        page = response.json()
        seen += [r["id"] for r in page["generations"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and pages == 3
    everything = get(client, api_tokens["viewer"], URL).json()
    assert [r["id"] for r in everything["generations"]] == expected
    assert everything["next_cursor"] is None


def test_the_list_filters_by_state_and_batch(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    batch = post(client, api_tokens["editor"], URL, {"request": ray(), "takes": 2}).json()
    post(client, api_tokens["editor"], URL, {"request": ray()})
    done = make_generation(personas.team, personas.editor)
    batch_id = batch["generations"][0]["batch"]
    by_batch = get(client, api_tokens["viewer"], f"{URL}?batch={batch_id}").json()
    assert {r["id"] for r in by_batch["generations"]} == {r["id"] for r in batch["generations"]}
    completed = get(client, api_tokens["viewer"], f"{URL}?state=completed").json()
    assert [r["id"] for r in completed["generations"]] == [str(done.id)]
    assert len(get(client, api_tokens["viewer"], f"{URL}?state=waiting").json()["generations"]) == 3
    unknown = get(client, api_tokens["viewer"], f"{URL}?batch={uuid.uuid4()}").json()
    assert unknown == {"generations": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("state=done", "state: must be one of "),
        ("batch=42", "batch: must be a batch id (a UUID)"),
        ("cursor=bm90IGEgY3Vyc29y", "cursor: not a cursor this API gave"),
        ("cursor=%%%", "cursor: not a cursor this API gave"),
        ("limit=0", "limit: must be between 1 and 100"),
        ("limit=101", "limit: must be between 1 and 100"),
        ("limit=ten", "limit: must be between 1 and 100"),
    ],
)
def test_a_bad_list_parameter_is_400(
    client: Client, api_tokens: dict, query: str, detail: str
) -> None:
    response = get(client, api_tokens["viewer"], f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


# --- Cancel ----------------------------------------------------------------------------


def test_cancel_by_its_author_or_an_owner_only(
    client: Client, personas: Personas, api_tokens: dict, api_configured: str
) -> None:
    from studio.api.tokens import issue

    other_editor = create_user("editor2@example.com", PASSWORD, name="Erin Editor")
    Membership.objects.create(team=personas.team, user=other_editor, role=Role.EDITOR)
    _, other_token = issue(other_editor, personas.team, "other")
    made = post(client, api_tokens["editor"], URL, {"request": ray(), "takes": 2}).json()
    first, second = (r["id"] for r in made["generations"])

    response = post(client, other_token, f"{URL}/{first}/cancel", {})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only its author or an owner can cancel this generation."}
    assert post(client, api_tokens["reviewer"], f"{URL}/{first}/cancel", {}).status_code == 403
    assert post(client, api_tokens["outsider"], f"{URL}/{first}/cancel", {}).status_code == 404
    assert Generation.objects.get(id=first).state == "waiting"

    response = post(client, api_tokens["editor"], f"{URL}/{first}/cancel", {})
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled" and response.json()["finished_at"]
    response = post(client, api_tokens["owner"], f"{URL}/{second}/cancel", {})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"

    response = post(client, api_tokens["editor"], f"{URL}/{first}/cancel", {})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only a waiting generation can be cancelled; this one is cancelled."
    }
    done = make_generation(personas.team, personas.editor)
    response = post(client, api_tokens["editor"], f"{URL}/{done.id}/cancel", {})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only a waiting generation can be cancelled; this one is completed."
    }
    assert (
        client.get(f"{URL}/{done.id}/cancel", headers=auth(api_tokens["editor"])).status_code == 405
    )


# --- The document and unknown paths ----------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_openapi_document_is_public_and_complete(client: Client, db: None) -> None:
    from django.urls import get_resolver

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "http://testserver"}]
    for ref in _refs(doc):
        section, kind, name = ref.removeprefix("#/").split("/")
        assert name in doc[section][kind], ref
    # Every route of the API is described.
    (api,) = [r for r in get_resolver().url_patterns if getattr(r, "namespace", "") == "api"]
    routes = {
        "/"
        + str(p.pattern)
        .replace("<uuid:generation_id>", "{id}")
        .replace("<uuid:preview_id>", "{id}")
        .replace("<slug:kind>", "{type}")
        for p in api.url_patterns
        if str(p.pattern).startswith("api/v1/") and p.name not in ("openapi", "not_found")
    }
    assert routes == set(doc["paths"])
    assert client.post("/api/v1/openapi.json").status_code == 405


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/generations/", "/api/v1/"])
def test_unknown_api_paths_are_json_404s(client: Client, db: None, path: str) -> None:
    for send in (client.get, client.post):
        response = send(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found"}


# --- The whole way: API → sender → engine → poller → API -------------------------------


def test_a_composed_take_is_sent_rendered_kept_and_fetched(
    client: Client, personas: Personas, api_tokens: dict, engine: str
) -> None:
    from studio.engine.testing import run_pending_renders
    from studio.generations.poller import PollerConfig, poll_once
    from studio.generations.sender import SenderConfig, send_once

    response = post(client, api_tokens["editor"], URL, {"request": ray()})
    assert response.status_code == 201
    generation_id = response.json()["generations"][0]["id"]

    assert send_once(SenderConfig.from_settings(owner="api-test")).sent == 1
    record = get(client, api_tokens["editor"], f"{URL}/{generation_id}").json()
    assert record["state"] == "queued" and record["remote_id"] and record["submitted_at"]
    assert record["outputs"] == []

    assert run_pending_renders() == 1
    for _ in range(5):
        Generation.objects.filter(id=generation_id).update(next_poll_at=timezone.now())
        poll_once(PollerConfig.from_settings(owner="api-test"))
        if Generation.objects.get(id=generation_id).outputs_ready:
            break
    record = get(client, api_tokens["editor"], f"{URL}/{generation_id}").json()
    assert record["state"] == "completed" and record["finished_at"]
    by_type = {o["type"]: o for o in record["outputs"]}
    assert {"video", "poster", "thumbs"} <= set(by_type)

    response = get(client, api_tokens["editor"], by_type["video"]["url"])
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert len(data) == by_type["video"]["bytes"]
    assert hashlib.sha256(data).hexdigest() == by_type["video"]["sha256"]
    assert data[4:8] == b"ftyp"  # an MP4


def test_a_page_costs_the_same_few_queries_however_long(
    client: Client, personas: Personas, api_tokens: dict, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        add_media(make_generation(personas.team, personas.editor), frames=6)
    get(client, api_tokens["viewer"], URL)  # the token's "last used" is written once
    with django_assert_max_num_queries(5):
        response = get(client, api_tokens["viewer"], URL)
    assert len(response.json()["generations"]) == 6
