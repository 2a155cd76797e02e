from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.loopback import serving

BASE_URL = "http://api.test/v1"
API_KEY = "luma-api-test-key"

Step = httpx.Response | type[Exception] | Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler that answers from a list of steps and records requests.

    A step is a response, an httpx exception class (raised for that request), or a
    function of the request. The last step repeats once the list runs out.
    """

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted failure", request=request)
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def generation(state: str = "queued", **extra: Any) -> dict[str, Any]:
    return {
        "id": "6f1c0d2e-8a55-4f7e-9a0b-1d2c3e4f5a6b",
        "type": "video",
        "state": state,
        "model": "ray-3.2",
        "created_at": "2026-05-26T12:00:00Z",
        "output": [],
        "failure_reason": None,
        "failure_code": None,
        **extra,
    }


def file_record(state: str = "pending", **extra: Any) -> dict[str, Any]:
    return {
        "id": "file_1",
        "created_at": "2026-05-26T12:00:00Z",
        "mime_type": "image/png",
        "purpose": "reference",
        "size_bytes": 10,
        "state": state,
        "deleted_at": None,
        "expires_at": None,
        "failure_reason": None,
        "filename": None,
        "user_id": None,
        **extra,
    }


VALID_BODY: dict[str, Any] = {"model": "ray-3.2", "type": "video", "prompt": "a red kite"}


@dataclass
class Sleeps:
    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


# A real HTTP server for downloads: 20 MiB built from one random MiB, so the
# payload costs 1 MiB of memory and the client's footprint is what we measure.
BLOCK = random.Random(20).randbytes(1024 * 1024)
BLOCKS = 20
PAYLOAD_SIZE = len(BLOCK) * BLOCKS
PAYLOAD_SHA256 = hashlib.sha256(BLOCK * BLOCKS).hexdigest()
SEND_CHUNK = 64 * 1024


@dataclass
class MediaServer:
    base: str
    seen: list[tuple[str, dict[str, str]]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: dict[str, int] = {}
    seen: list[tuple[str, dict[str, str]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.seen.append((self.path, dict(self.headers.items())))
        token = parse_qs(parts.query).get("t", [""])[0]
        hits = self.hits[token] = self.hits.get(token, 0) + 1
        if parts.path == "/expired":
            self._small(403, b"<Error><Code>AccessDenied</Code></Error>", "application/xml")
        elif parts.path == "/flaky" and hits == 1:
            self._small(503, b"Slow Down", "text/plain")
        elif parts.path == "/drop":
            self._payload(stop_after=2 * len(BLOCK))
        else:
            self._payload()

    def _small(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _payload(self, stop_after: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(PAYLOAD_SIZE))
        self.end_headers()
        view = memoryview(BLOCK)
        sent = 0
        for _ in range(BLOCKS):
            for start in range(0, len(BLOCK), SEND_CHUNK):
                if stop_after is not None and sent >= stop_after:
                    # Hang up mid-body, as a dying proxy would.
                    self.close_connection = True
                    return
                self.wfile.write(view[start : start + SEND_CHUNK])
                sent += SEND_CHUNK


@pytest.fixture(scope="session")
def media_server() -> Iterator[MediaServer]:
    with serving(_Handler) as url:
        yield MediaServer(base=url, seen=_Handler.seen)
