"""The four 401s, on every authenticated endpoint."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from studio.engine.keys import hash_key
from studio.engine.models import ApiKey
from studio.engine.testing import create_key
from tests.engine.conftest import wsgi_client

MISSING = "Missing or invalid API key"
ENDPOINTS = [
    ("POST", "/generations"),
    ("GET", "/generations/00000000-0000-4000-8000-000000000000"),
    ("GET", "/files"),
    ("POST", "/files"),
    ("GET", "/files/00000000-0000-4000-8000-000000000000"),
]


def _ask(client: httpx.Client, method: str, path: str, **headers: str) -> httpx.Response:
    body = {"model": "ray-3.2", "type": "video", "prompt": "p"} if method == "POST" else None
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Basic luma-api-abc", "Bearer sk-live-123", "luma-api-abc", "Token x"],
)
def test_missing_or_malformed(db: None, method: str, path: str, header: str | None) -> None:
    with wsgi_client(None) as client:
        headers = {"Authorization": header} if header is not None else {}
        response = _ask(client, method, path, **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": MISSING}
    assert response.headers["X-API-Version"] == "2026-04-01"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_unknown_revoked_expired(db: None, method: str, path: str) -> None:
    with wsgi_client("luma-api-not-a-key-we-made") as client:
        assert _ask(client, method, path).json() == {"detail": "Invalid API key"}
    revoked = create_key("revoked")
    ApiKey.objects.filter(secret_hash=hash_key(revoked)).update(revoked_at=timezone.now())
    with wsgi_client(revoked) as client:
        response = _ask(client, method, path)
        assert (response.status_code, response.json()) == (
            401,
            {"detail": "API key has been revoked"},
        )
    expired = create_key("expired", expires_at=timezone.now() - timedelta(seconds=1))
    with wsgi_client(expired) as client:
        response = _ask(client, method, path)
        assert (response.status_code, response.json()) == (401, {"detail": "API key has expired"})


def test_a_key_valid_until_later_works(db: None) -> None:
    key = create_key("later", expires_at=timezone.now() + timedelta(hours=1))
    with wsgi_client(key) as client:
        assert client.get("/files").status_code == 200


def test_only_a_hash_is_stored(db: None) -> None:
    key = create_key("hashed")
    record = ApiKey.objects.get(secret_hash=hash_key(key))
    stored = [str(getattr(record, f.attname)) for f in ApiKey._meta.fields]
    assert key not in stored
    assert key.startswith("luma-api-") and key[9:17] == record.prefix
