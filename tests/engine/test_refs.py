"""ImageRefs at create time: URL fetching and its SSRF guard, inline data, sources."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from studio.engine import fetch
from studio.engine.models import EngineGeneration
from studio.engine.testing import run_pending_renders
from studio.media import probe_video
from tests.contract.bodies import edit, reframe, video
from tests.factories import gradient_png, write_mp4
from tests.loopback import serving

IMAGE = gradient_png(640, 360)
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/frame.png": (200, "image/png", IMAGE),
    "/page.html": (200, "text/html", b"<html></html>"),
    "/gone.png": (404, "text/plain", b"no"),
    "/big.png": (200, "image/png", IMAGE * 4),
    "/away.png": (302, "text/plain", b""),
}
# An allowed server may not bounce the engine onto an address that is not allowed.
REDIRECTS = {"/away.png": "http://127.0.0.1:9/frame.png"}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        status, kind, body = ROUTES.get(self.path, (404, "text/plain", b""))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if self.path in REDIRECTS:
            self.send_header("Location", REDIRECTS[self.path])
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def media_server() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def _body(**options: object) -> dict[str, object]:
    return video(resolution="360p", **options)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/frame.png",
        "http://localhost/frame.png",
        "http://10.1.2.3/frame.png",
        "http://192.168.0.1/frame.png",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/frame.png",
        "http://[::ffff:127.0.0.1]/frame.png",
        "http://224.0.0.1/frame.png",
        "http://0.0.0.0/frame.png",
        "file:///etc/passwd",
        "ftp://example.com/frame.png",
    ],
)
def test_private_and_odd_urls_are_refused(api: httpx.Client, url: str) -> None:
    response = api.post("/generations", json=_body(start_frame={"url": url}))
    assert response.status_code == 422
    assert response.json() == {"detail": "video.start_frame: URL must be a public http(s) address"}
    assert EngineGeneration.objects.count() == 0


def test_an_allowed_host_may_be_private(
    api: httpx.Client, media_server: str, settings: object
) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [media_server.removeprefix("http://")]  # type: ignore[attr-defined]
    response = api.post(
        "/generations", json=_body(start_frame={"url": f"{media_server}/frame.png"})
    )
    assert response.status_code == 201, response.text
    generation = EngineGeneration.objects.get(id=response.json()["id"])
    staged = (
        Path(settings.ENGINE_MEDIA_ROOT)
        / str(generation.id)
        / generation.inputs[  # type: ignore[attr-defined]
            "video.start_frame"
        ]["file"]
    )
    assert staged.read_bytes() == IMAGE


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/page.html", 422, "video.keyframes[1]: content-type is not an image"),
        ("/gone.png", 422, "video.keyframes[1]: failed to fetch URL (HTTP 404)"),
        ("/big.png", 413, "video.keyframes[1]: image exceeds 50 MB limit"),
        ("/away.png", 422, "video.keyframes[1]: URL must be a public http(s) address"),
    ],
)
def test_url_failures_use_the_contract_strings(
    api: httpx.Client,
    media_server: str,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    status: int,
    detail: str,
) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [media_server.removeprefix("http://")]  # type: ignore[attr-defined]
    # The cap, scaled down so the test serves kilobytes rather than 50 MB.
    monkeypatch.setattr(fetch, "IMAGE_MAX_BYTES", len(IMAGE) * 2)
    refs = [{"url": f"{media_server}/frame.png"}, {"url": f"{media_server}{path}"}]
    response = api.post("/generations", json=_body(keyframes=refs, keyframe_indexes=[0, 60]))
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    # Refused: no generation row, no staged files.
    assert EngineGeneration.objects.count() == 0
    assert not any(Path(settings.ENGINE_MEDIA_ROOT).glob("*/inputs/*"))  # type: ignore[attr-defined]


def test_an_inline_start_frame_is_the_first_frame(api: httpx.Client, settings: object) -> None:
    ref = {"data": base64.b64encode(IMAGE).decode(), "media_type": "image/png"}
    created = api.post("/generations", json=_body(start_frame=ref)).json()["id"]
    assert run_pending_renders() == 1
    record = EngineGeneration.objects.get(id=created)
    assert record.state == "completed"
    path = Path(settings.ENGINE_MEDIA_ROOT) / record.video_path  # type: ignore[attr-defined]
    with av.open(str(path)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(float)
    expected = np.asarray(Image.open(io.BytesIO(IMAGE)).convert("RGB"), dtype=float)
    mse = float(np.mean((first - expected) ** 2))
    assert 10 * np.log10(255**2 / max(mse, 1e-9)) >= 35


def test_an_inline_edit_source_over_18_seconds_is_refused(
    api: httpx.Client, tmp_path: Path
) -> None:
    # 19 s on the 24 fps grid: 19 * 24 + 1 frames.
    raw = write_mp4(tmp_path / "long.mp4", frames=19 * 24 + 1, width=32, height=32).read_bytes()
    body = edit()
    body["source"] = {"data": base64.b64encode(raw).decode(), "media_type": "video/mp4"}
    response = api.post("/generations", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": "source: video is longer than 18 seconds"}
    assert EngineGeneration.objects.count() == 0


def test_extend_and_reframe_a_completed_generation(api: httpx.Client, settings: object) -> None:
    prior = api.post("/generations", json=_body()).json()["id"]
    run_pending_renders()
    extend = api.post("/generations", json=_body(start_frame={"generation_id": prior}))
    assert extend.status_code == 201, extend.text
    shaped = reframe("1:1", resolution="360p")
    shaped["source"] = {"generation_id": prior}
    reframed = api.post("/generations", json=shaped)
    assert reframed.status_code == 201, reframed.text
    assert run_pending_renders() == 2
    root = Path(settings.ENGINE_MEDIA_ROOT)  # type: ignore[attr-defined]
    longer = EngineGeneration.objects.get(id=extend.json()["id"])
    square = EngineGeneration.objects.get(id=reframed.json()["id"])
    facts = probe_video(root / longer.video_path)
    assert (facts.width, facts.height, facts.frames) == (640, 360, 121 + 120)
    facts = probe_video(root / square.video_path)
    assert (facts.width, facts.height, facts.frames) == (360, 360, 121)
