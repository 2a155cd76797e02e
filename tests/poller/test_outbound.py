"""A team's own API end to end, through the outbound guard: the local engine over real HTTP
is the team's API on a loopback address an administrator allowed.

- output links that point at another private address are not downloaded;
- a key goes only to the API it was configured with: once an owner clears the settings,
  the next poll sends no key anywhere, and the generation's page says it has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.urls import reverse
from django.utils import timezone

from studio.engine import signing
from studio.engine.testing import create_key, run_pending_renders
from studio.generations import lifecycle
from studio.generations.lifecycle import Draft
from studio.generations.models import Generation, Output
from studio.generations.poller import PollerConfig, poll_once
from studio.generations.poller.outputs import folder_of
from studio.generations.sender import SenderConfig, send_once
from studio.teams.models import Membership
from tests.conftest import Personas
from tests.loopback import serving

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Internal:
    """A service on loopback nobody allowed (an admin console, say)."""

    url: str = ""
    seen: list[str] = field(default_factory=list)


@pytest.fixture
def internal() -> Iterator[Internal]:
    service = Internal()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            service.seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"secret")

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        service.url = url
        yield service


@pytest.fixture
def team_api(
    client: Any, live_server: Any, personas: Personas, settings: Any, scripted_api: Any
) -> str:
    """The owner points the team at a server of their own (the local engine here)."""
    # The studio's own API is another server, which records anything that reaches it.
    settings.LUMA_BASE_URL = f"{scripted_api.url}/v1"
    settings.LUMA_AGENTS_API_KEY = "luma-api-the-studios-own"
    settings.STUDIO_ALLOWED_API_HOSTS = [live_server.url.removeprefix("http://")]
    base_url = f"{live_server.url}/v1"
    client.force_login(personas.owner)
    client.post(reverse("teams:api"), {"api_base_url": base_url, "api_key": create_key("own")})
    personas.team.refresh_from_db()
    assert personas.team.api_base_url == base_url
    return base_url


def send_one(personas: Personas) -> Generation:
    membership = Membership.objects.get(user=personas.editor, team=personas.team)
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a heron in the reeds",
        "video": {"resolution": "360p", "duration": "5s"},
    }
    (generation,), _ = lifecycle.record([Draft(membership, "create", body, price=Decimal("0.06"))])
    assert send_once(SenderConfig.from_settings(owner="sender", timeout=10.0)).sent == 1
    generation.refresh_from_db()
    return generation


def poll() -> None:
    Generation.objects.update(next_poll_at=timezone.now())
    poll_once(PollerConfig.from_settings(owner="poller"))


def test_output_links_to_another_private_address_are_not_downloaded(
    team_api: str,
    personas: Personas,
    internal: Internal,
    scripted_api: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generation = send_one(personas)
    assert (generation.api_base_url, generation.api_source) == (team_api, "team")
    assert run_pending_renders() == 1

    # A hostile API: its links name the internal service instead of itself.
    def elsewhere(request: Any, path: str, ttl: int | None = None) -> str:
        return f"{internal.url}{signing.sign(path, ttl)}"

    monkeypatch.setattr(signing, "absolute", elsewhere)
    poll()
    generation.refresh_from_db()
    assert generation.state == "completed" and not generation.outputs_ready
    assert "is a loopback address and not a destination" in generation.error_detail
    assert generation.error_detail.startswith("download:")
    assert internal.seen == [] and scripted_api.requests == []
    assert not Output.objects.filter(generation=generation).exists()
    folder = folder_of(generation)
    assert not folder.exists() or list(Path(folder).iterdir()) == []


def test_a_cleared_team_api_gets_no_key_on_the_next_poll(
    team_api: str, client: Any, personas: Personas, scripted_api: Any
) -> None:
    generation = send_one(personas)
    assert generation.remote_id is not None and generation.api_source == "team"
    client.post(reverse("teams:api"), {"api_base_url": "", "clear_key": "on"})
    personas.team.refresh_from_db()
    assert (personas.team.api_base_url, personas.team.api_key) == ("", "")

    reached: list[tuple[str, str | None]] = []

    def record(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        reached.append((environ["PATH_INFO"], environ.get("HTTP_AUTHORIZATION")))

    signals.request_started.connect(record)
    try:
        poll()
    finally:
        signals.request_started.disconnect(record)
    # Neither the team's server (with any key) nor the studio's own API was asked.
    assert reached == [] and scripted_api.requests == []
    generation.refresh_from_db()
    assert generation.state == "queued"
    assert f"No API key is configured for {team_api} any more" in generation.error_detail
    page = client.get(reverse("review:generation", args=[generation.id])).content.decode()
    assert f"No API key is configured for {team_api} any more" in page
