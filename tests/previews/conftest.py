"""Helpers for the preview tests: keyframe images one can recognise in a decoded frame,
a recording server standing in for a team's paid API, and a loopback image server."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from studio.composer.assets import store_bytes
from studio.generations.models import Asset

# Four quadrants per image, each a different colour: a frame matches one image only.
PALETTES = [
    [(230, 40, 40), (40, 230, 40), (40, 40, 230), (230, 230, 40)],
    [(40, 230, 230), (230, 40, 230), (250, 250, 250), (20, 20, 20)],
    [(120, 60, 20), (20, 120, 60), (60, 20, 120), (200, 140, 90)],
    [(90, 200, 140), (140, 90, 200), (200, 90, 140), (10, 120, 220)],
]


def picture(n: int, width: int = 640, height: int = 360) -> np.ndarray:
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    quads = PALETTES[n % len(PALETTES)]
    h, w = height // 2, width // 2
    rgb[:h, :w], rgb[:h, w:], rgb[h:, :w], rgb[h:, w:] = quads
    return rgb


def png_of(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def decoded_frames(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference per channel value (0–255), tolerant of compression."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture
def keyframe_assets(personas: Any) -> list[Asset]:
    """Three of Northwind's uploads, each recognisable (see PALETTES)."""
    return [
        store_bytes(
            png_of(picture(n)),
            team=personas.team,
            user=personas.editor,
            name=f"key-{n}.png",
            want="image",
        )
        for n in range(3)
    ]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Recorder(f"http://127.0.0.1:{server.server_address[1]}/v1", seen)
    server.shutdown()
    server.server_close()


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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
