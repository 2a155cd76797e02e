"""Every rule and error string of the contract, answered over HTTP by the engine.

The bodies come from the contract's own test tables (one table, not a copy): what the
contract module decides, the engine must answer with the same status and detail.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.contract import test_rules, test_structure
from tests.contract.bodies import IMG, edit, keyframes, reframe, video, with_top

RULE_CASES = [(name, body, status, detail) for name, body, status, detail in test_rules.CASES]
SHAPE_CASES = list(test_structure.CASES)
UNKNOWN = str(uuid.UUID(int=7))


def _assert_answer(response: httpx.Response, status: int, detail: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"detail": detail}
    assert response.headers["X-API-Version"] == "2026-04-01"
    assert "X-RateLimit-Limit" not in response.headers


@pytest.mark.parametrize(("name", "body", "status", "detail"), RULE_CASES)
def test_rule_row(
    api: httpx.Client, name: str, body: dict[str, Any], status: int, detail: str
) -> None:
    _assert_answer(api.post("/generations", json=body), status, detail)


@pytest.mark.parametrize(("label", "body", "status", "detail"), SHAPE_CASES)
def test_shape_check(api: httpx.Client, label: str, body: object, status: int, detail: str) -> None:
    # json.dumps, not httpx's json=: one case sends NaN, which strict encoders refuse.
    raw = json.dumps(body).encode()
    response = api.post("/generations", content=raw, headers={"Content-Type": "application/json"})
    _assert_answer(response, status, detail)


NO_FILE = "{}.file_id: no ready file with this id"
NO_VIDEO = "{}.generation_id: no completed video generation with this id"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (video(start_frame={"file_id": UNKNOWN}), NO_FILE.format("video.start_frame")),
        (video(end_frame={"file_id": "../etc/passwd"}), NO_FILE.format("video.end_frame")),
        (
            video(**{**keyframes([0, 1]), "keyframes": [IMG, {"file_id": UNKNOWN}]}),
            NO_FILE.format("video.keyframes[1]"),
        ),
        (video(start_frame={"generation_id": UNKNOWN}), NO_VIDEO.format("video.start_frame")),
        (video(end_frame={"generation_id": "latest"}), NO_VIDEO.format("video.end_frame")),
        (with_top(edit(), source={"generation_id": UNKNOWN}), NO_VIDEO.format("source")),
        (with_top(reframe(), source={"generation_id": UNKNOWN}), NO_VIDEO.format("source")),
    ],
)
def test_unknown_references(api: httpx.Client, body: dict[str, Any], detail: str) -> None:
    _assert_answer(api.post("/generations", json=body), 422, detail)


def test_a_queued_generation_is_not_a_completed_video(api: httpx.Client) -> None:
    queued = api.post("/generations", json=video(resolution="360p")).json()["id"]
    response = api.post("/generations", json=video(start_frame={"generation_id": queued}))
    _assert_answer(response, 422, NO_VIDEO.format("video.start_frame"))
