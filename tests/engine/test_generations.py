"""POST and GET /v1/generations over HTTP: the response shape, headers, 404s."""

from __future__ import annotations

import uuid

import httpx

from studio.contract import API_VERSION, MODEL
from studio.engine.testing import create_key, run_pending_renders
from tests.engine.conftest import wsgi_client

KEYS = ["id", "type", "state", "model", "created_at", "output", "failure_reason", "failure_code"]


def text_body(aspect_ratio: str | None = None, **video: object) -> dict[str, object]:
    return {
        "model": MODEL,
        "type": "video",
        "prompt": "a sunrise over the sea, slow dolly",
        "video": {"resolution": "360p", **video},
        **({"aspect_ratio": aspect_ratio} if aspect_ratio else {}),
    }


def test_create_answers_201_with_all_eight_keys(api: httpx.Client) -> None:
    response = api.post("/generations", json=text_body(), headers={"X-Request-Id": "req-1"})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == KEYS
    assert body["state"] == "queued"
    assert body["output"] == []
    assert body["failure_code"] is None and body["failure_reason"] is None
    assert uuid.UUID(body["id"])
    assert body["created_at"].endswith("Z")
    assert response.headers["X-Request-Id"] == "req-1"
    assert response.headers["X-API-Version"] == API_VERSION


def test_get_follows_the_job_to_completed(api: httpx.Client) -> None:
    created = api.post("/generations", json=text_body()).json()
    assert api.get(f"/generations/{created['id']}").json()["state"] == "queued"
    assert run_pending_renders() == 1
    response = api.get(f"/generations/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == KEYS
    assert body["state"] == "completed"
    assert [o["type"] for o in body["output"]] == ["video"]
    assert body["output"][0]["url"].startswith("http://testserver/v1/outputs/")
    # Only creates carry rate-limit headers.
    assert "X-RateLimit-Limit" not in response.headers
    assert uuid.UUID(response.headers["X-Request-Id"])


def test_unknown_malformed_and_foreign_ids_are_not_found(api: httpx.Client) -> None:
    mine = api.post("/generations", json=text_body()).json()["id"]
    with wsgi_client(create_key("other")) as other:
        for wanted in (mine, str(uuid.uuid4()), "not-a-uuid", "1234"):
            response = other.get(f"/generations/{wanted}")
            assert response.status_code == 404
            assert response.json() == {"detail": "Generation not found"}
            assert response.headers["X-API-Version"] == API_VERSION


def test_malformed_json_is_a_clear_400(api: httpx.Client) -> None:
    response = api.post(
        "/generations", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "body: must be valid JSON"}
    assert response.headers["X-API-Version"] == API_VERSION


def test_unknown_paths_and_methods_answer_json(api: httpx.Client) -> None:
    missing = api.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found"}
    wrong = api.get("/generations")
    assert wrong.status_code == 405
    assert "detail" in wrong.json()
    assert wrong.headers["X-Request-Id"]
