"""A team's own API settings: https to a public address unless an administrator allowed the
host, and the key never shown back, not even after an error."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from studio.teams.models import Team
from tests.conftest import Personas

KEY = "luma-api-secret-0123456789abcdef"


@pytest.fixture
def owner(client: Any, personas: Personas, settings: Any) -> Any:
    settings.LUMA_BASE_URL = "http://127.0.0.1:8000/v1"
    settings.STUDIO_ALLOWED_API_HOSTS = []
    client.force_login(personas.owner)
    return client


def save(client: Any, url: str, key: str = KEY) -> tuple[str, Team]:
    response = client.post(reverse("teams:api"), {"api_base_url": url, "api_key": key}, follow=True)
    assert response.status_code == 200
    return response.content.decode(), Team.objects.get(name="Northwind")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://api.example.com/v1", "must start with https://"),
        ("https://127.0.0.1/v1", "127.0.0.1 is not a public address"),
        ("https://localhost:8443/v1", "localhost is not a public address"),
        ("https://[::ffff:127.0.0.1]/v1", "127.0.0.1 is not a public address"),
        ("https://10.0.0.5/v1", "10.0.0.5 is not a public address"),
        ("https://169.254.169.254/latest", "169.254.169.254 is not a public address"),
        # The studio's own API is allowed by its exact base URL only.
        ("http://127.0.0.1:8000/admin", "must start with https://"),
    ],
)
def test_private_or_plain_http_apis_are_refused_and_the_key_not_echoed(
    owner: Any, url: str, says: str
) -> None:
    html, team = save(owner, url)
    assert says in html
    assert (team.api_base_url, team.api_key) == ("", "")
    assert KEY not in html and KEY[:12] not in html


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ([], "https://8.8.8.8/v1"),
        # Not resolvable now: every connection is checked again anyway.
        ([], "https://api.example.invalid/v1"),
        ([], "http://127.0.0.1:8000/v1/"),  # the studio's own API
        (["10.0.0.5:8443"], "http://10.0.0.5:8443/v1"),
        (["10.0.0.5:8443"], "https://[::ffff:10.0.0.5]:8443/v1"),
        (["gateway.internal"], "https://gateway.internal/v1"),
    ],
)
def test_public_https_the_studios_own_and_allowed_apis_are_saved(
    owner: Any, settings: Any, allowed: list[str], url: str
) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = allowed
    html, team = save(owner, url)
    assert "API settings saved." in html
    assert (team.api_base_url, team.api_key) == (url.rstrip("/"), KEY)
    assert KEY not in html


def test_an_allowed_host_does_not_allow_its_other_ports(owner: Any, settings: Any) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = ["10.0.0.5:8443"]
    html, team = save(owner, "https://10.0.0.5:9443/v1")
    assert "10.0.0.5 is not a public address" in html and team.api_base_url == ""
