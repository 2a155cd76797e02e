"""Text a database cannot store, in the studio's JSON API: a 400 naming the field, and
nothing recorded (before, the record's save failed with a 500)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from studio.generations.models import Generation

URL = "/api/v1/generations"
TEXT_INVALID = "must be valid Unicode text (no lone surrogates or NUL characters)"
RAY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "a paper boat",
    "video": {"resolution": "360p", "duration": "5s"},
}


def _post(client: Client, token: str, url: str, body: Any) -> Any:
    # json.dumps writes "\ud800" as an escape: the only way it can travel.
    return client.post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"request": {**RAY, "prompt": "a \ud800 boat"}}, "request.prompt"),
        ({"request": RAY, "prompts": ["one", "two \udfff"]}, "prompts[1]"),
        ({"request": {**RAY, "prompt": "a\x00b"}}, "request.prompt"),
        ({"request": {**RAY, "user_id": "\ud800"}}, "request.user_id"),
    ],
)
def test_unstorable_text_is_refused_by_its_path(
    client: Client, api_tokens: dict[str, str], api_configured: str, body: Any, path: str
) -> None:
    response = _post(client, api_tokens["editor"], URL, body)
    assert response.status_code == 400
    assert response.json() == {"detail": f"{path}: {TEXT_INVALID}"}
    assert not Generation.objects.exists()


def test_a_cursor_naming_a_moment_past_utc_is_400(
    client: Client, api_tokens: dict[str, str]
) -> None:
    forged = f"9999-12-31T23:59:59-05:00|{uuid.uuid4()}"
    cursor = base64.urlsafe_b64encode(forged.encode()).decode()
    response = client.get(
        URL, {"cursor": cursor}, headers={"Authorization": f"Bearer {api_tokens['viewer']}"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "cursor: not a cursor this API gave"}
