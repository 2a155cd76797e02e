"""Presigned output links: fresh on every GET, 403 after expiry or any tampering,
and an end-to-end decode of the delivered MP4."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import av
import httpx
import numpy as np
import pytest

from studio.engine import signing
from studio.engine.testing import create_key, run_pending_renders
from tests.engine.test_generations import text_body


def _local(url: str) -> str:
    """The path and query of an absolute link, for the in-process client."""
    parts = urlsplit(url)
    return f"{parts.path.removeprefix('/v1')}?{parts.query}"


@pytest.fixture
def link(api: httpx.Client) -> str:
    created = api.post("/generations", json=text_body()).json()["id"]
    run_pending_renders()
    return api.get(f"/generations/{created}").json()["output"][0]["url"]


def test_each_get_mints_a_fresh_link(api: httpx.Client, link: str) -> None:
    generation = urlsplit(link).path.split("/")[3]
    time.sleep(1.1)  # expiry has one-second resolution
    again = api.get(f"/generations/{generation}").json()["output"][0]["url"]
    assert again != link
    assert api.get(_local(again)).status_code == 200


def test_link_expires_after_the_ttl(api: httpx.Client, link: str) -> None:
    expires = int(parse_qs(urlsplit(link).query)["expires"][0])
    assert 3590 <= expires - time.time() <= 3601
    path = urlsplit(link).path
    stale = signing.sign(path, ttl=3600, now=time.time() - 3601)
    response = api.get(stale.removeprefix("/v1"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Link has expired"}


@pytest.mark.parametrize("change", ["expires", "signature", "path", "drop"])
def test_tampered_links_are_refused(api: httpx.Client, link: str, change: str) -> None:
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    path = parts.path.removeprefix("/v1")
    if change == "expires":
        query["expires"] = str(int(query["expires"]) + 86400)
    elif change == "signature":
        query["signature"] = query["signature"][:-1] + (
            "0" if query["signature"][-1] != "0" else "1"
        )
    elif change == "path":
        path = path.replace("video.mp4", "frames.zip")
    else:
        query.pop("signature")
    response = api.get(f"{path}?{urlencode(query)}")
    assert response.status_code == 403
    assert response.json() == {"detail": "Link signature is not valid"}


def test_byte_ranges(api: httpx.Client, link: str) -> None:
    whole = api.get(_local(link)).content
    part = api.get(_local(link), headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == whole[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(whole)}"


def test_post_render_download_decode(
    live_server: object, transactional_db: None, tmp_path: object
) -> None:
    """POST → worker step → GET → download the signed link → decode frames and size."""
    base = f"{live_server.url}/v1"  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {create_key('e2e')}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        created = client.post("/generations", json=text_body(aspect_ratio="9:16")).json()
        assert run_pending_renders() == 1
        done = client.get(f"/generations/{created['id']}").json()
        assert done["state"] == "completed"
        url = done["output"][0]["url"]
        assert url.startswith(f"{live_server.url}/v1/outputs/")  # type: ignore[attr-defined]
        video = httpx.get(url, timeout=30)
    assert video.status_code == 200
    path = tmp_path / "out.mp4"  # type: ignore[operator]
    path.write_bytes(video.content)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.average_rate == 24
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == 121
    assert frames[0].shape == (640, 360, 3)  # 360p 9:16: 360 wide, 640 high
    assert float(np.std(frames[60])) > 1.0  # a scene, not a blank frame
