"""Fixtures for the poller's tests: submitted generations, small test videos, a scripted API.

The scripted API is a real HTTP server on loopback, used only for what the local engine
cannot produce on demand (a connection dropped in the middle of a download).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from studio.generations.models import Generation
from tests import factories
from tests.conftest import Personas
from tests.factories import write_video
from tests.loopback import serving


@pytest.fixture
def make_generation(personas: Personas, settings: Any) -> Callable[..., Any]:
    """A submitted generation of Northwind (queued, due now) unless told otherwise.

    It went to the studio's own API, so that API is the one named by ``api_base_url``
    (a key goes only to the URL it was configured with).
    """

    def make(**fields: Any) -> Generation:
        now = timezone.now()
        values: dict[str, Any] = {
            "team": personas.team,
            "author": personas.editor,
            "prompt": "a paper boat on a pond",
            "request": {"model": "ray-3.2", "type": "video", "prompt": "a paper boat"},
            "state": "queued",
            "remote_id": uuid.uuid4(),
            "api_base_url": "http://127.0.0.1:9/v1",
            "submitted_at": now,
            "next_poll_at": now,
        }
        values.update(fields)
        if not personas.team.api_base_url:
            settings.LUMA_BASE_URL = values["api_base_url"]
            settings.LUMA_AGENTS_API_KEY = settings.LUMA_AGENTS_API_KEY or "luma-api-test"
        return factories.make_generation(values.pop("team"), values.pop("author"), **values)

    return make


@pytest.fixture(scope="session")
def sdr_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("clips") / "sdr.mp4")


@pytest.fixture(scope="session")
def hdr_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("clips") / "hdr.mp4", hdr=True)


class ScriptedApi:
    """GET /v1/generations/<id> answers from ``answers``; GET /files/<name> serves ``files``.

    ``cut_after`` (name -> byte count) makes downloads of that file stop after so many
    bytes and drop the connection, as a crashed or killed server would, until removed.
    """

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.cut_after: dict[str, int] = {}
        self.drop_gets = 0  # this many generation GETs get no answer, the connection closed
        self.requests: list[str] = []
        self.url = ""

    def completed(self, remote_id: str, **names: str) -> None:
        self.answers[remote_id] = {
            "id": remote_id,
            "type": "video",
            "state": "completed",
            "model": "ray-3.2",
            "created_at": "2026-05-26T12:00:00Z",
            "output": [
                {"type": kind, "url": f"{self.url}/files/{name}"} for kind, name in names.items()
            ],
            "failure_reason": None,
            "failure_code": None,
        }


@pytest.fixture
def scripted_api() -> Iterator[ScriptedApi]:
    api = ScriptedApi()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            api.requests.append(self.path)
            if self.path.startswith("/v1/generations/"):
                if api.drop_gets > 0:
                    api.drop_gets -= 1
                    self.close_connection = True
                    return
                answer = api.answers.get(self.path.rsplit("/", 1)[-1])
                body = json.dumps(answer or {"detail": "Generation not found"}).encode()
                self.send_response(200 if answer else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            name = self.path.removeprefix("/files/")
            data = api.files.get(name)
            if data is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            cut = api.cut_after.get(name)
            self.wfile.write(data if cut is None else data[:cut])
            if cut is not None:
                self.wfile.flush()
                self.close_connection = True

    with serving(Handler) as url:
        api.url = url
        yield api


def past(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)
