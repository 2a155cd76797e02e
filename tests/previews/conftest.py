"""Helpers for the preview tests: keyframe images one can recognise in a decoded frame,
a recording server standing in for a team's paid API, and a loopback image server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import av
import numpy as np
import pytest

from studio.generations.models import Asset
from tests.conftest import Personas
from tests.factories import make_asset, picture, png_of
from tests.loopback import serving


def decoded_frames(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference per channel value (0–255), tolerant of compression."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture
def keyframe_assets(personas: Personas) -> list[Asset]:
    """Three of Northwind's uploads, each recognisable (see ``factories.PALETTES``)."""
    return [
        make_asset(personas.team, personas.editor, png_of(picture(n)), name=f"key-{n}.png")
        for n in range(3)
    ]


@dataclass
class Recorder:
    url: str
    seen: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A server on loopback that records every request and answers 500 to each."""
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append((self.command, self.path))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_PUT = do_DELETE = _record  # noqa: N815 - the stdlib's names

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield Recorder(f"{url}/v1", seen)


@pytest.fixture
def image_server() -> Iterator[str]:
    """Serves picture(3) as /key.png on loopback."""
    body = png_of(picture(3))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            found = self.path == "/key.png"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "image/png" if found else "text/plain")
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url.removeprefix("http://")
