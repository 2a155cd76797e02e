from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from studio.client import ApiError, AsyncClient, Client, LinkExpired
from tests.conftest import run_async

from .conftest import API_KEY, PAYLOAD_SHA256, PAYLOAD_SIZE, MediaServer, Sleeps

# The API lives elsewhere: presigned URLs point at another host.
BASE_URL = "http://api.test/v1"


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def headers_for(server: MediaServer, path: str) -> list[dict[str, str]]:
    return [headers for seen_path, headers in server.seen if seen_path == path]


def test_download_streams_in_constant_memory(media_server: MediaServer, tmp_path: Path) -> None:
    dest = tmp_path / "clips" / "out.mp4"
    url = f"{media_server.base}/clip.mp4?t=big"
    with Client(BASE_URL, API_KEY) as client:
        tracemalloc.start()
        try:
            result = client.download(url, dest)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (result.path, result.size, result.sha256) == (dest, PAYLOAD_SIZE, PAYLOAD_SHA256)
    assert dest.stat().st_size == PAYLOAD_SIZE
    assert leftovers(dest.parent) == ["out.mp4"]
    # A few network-sized chunks at most, against 20 MiB of file.
    assert peak < PAYLOAD_SIZE // 10


def test_download_never_sends_the_api_key(media_server: MediaServer, tmp_path: Path) -> None:
    url = f"{media_server.base}/clip.mp4?t=nokey"
    with Client(BASE_URL, API_KEY) as client:
        client.download(url, tmp_path / "a.mp4")
    (headers,) = headers_for(media_server, "/clip.mp4?t=nokey")
    assert "Authorization" not in headers
    assert "X-Request-Id" in headers


def test_dropped_connection_leaves_no_file(
    media_server: MediaServer, tmp_path: Path, sleeps: Sleeps
) -> None:
    dest = tmp_path / "out.mp4"
    with (
        Client(BASE_URL, API_KEY, max_retries=1, sleep=sleeps) as client,
        pytest.raises(ApiError) as info,
    ):
        client.download(f"{media_server.base}/drop?t=drop", dest)
    assert info.value.status is None
    assert "RemoteProtocolError" in info.value.detail
    assert len(headers_for(media_server, "/drop?t=drop")) == 2
    assert leftovers(tmp_path) == []


def test_failed_download_keeps_the_previous_file(
    media_server: MediaServer, tmp_path: Path, sleeps: Sleeps
) -> None:
    dest = tmp_path / "out.mp4"
    dest.write_bytes(b"the earlier, complete file")
    with Client(BASE_URL, API_KEY, max_retries=0, sleep=sleeps) as client, pytest.raises(ApiError):
        client.download(f"{media_server.base}/drop?t=keep", dest)
    assert dest.read_bytes() == b"the earlier, complete file"
    assert leftovers(tmp_path) == ["out.mp4"]


def test_expired_link_raises_link_expired(
    media_server: MediaServer, tmp_path: Path, sleeps: Sleeps
) -> None:
    with Client(BASE_URL, API_KEY, sleep=sleeps) as client, pytest.raises(LinkExpired) as info:
        client.download(f"{media_server.base}/expired?t=exp", tmp_path / "out.mp4")
    assert info.value.status == 403
    assert "AccessDenied" in info.value.detail
    assert sleeps.calls == []
    assert leftovers(tmp_path) == []


def test_download_retries_a_5xx(media_server: MediaServer, tmp_path: Path, sleeps: Sleeps) -> None:
    with Client(BASE_URL, API_KEY, sleep=sleeps) as client:
        result = client.download(f"{media_server.base}/flaky?t=flaky", tmp_path / "out.mp4")
    assert result.sha256 == PAYLOAD_SHA256
    assert len(sleeps.calls) == 1
    assert len(headers_for(media_server, "/flaky?t=flaky")) == 2


def test_async_download_matches(media_server: MediaServer, tmp_path: Path) -> None:
    async def run() -> tuple[object, float]:
        async with AsyncClient(BASE_URL, API_KEY) as client:
            tracemalloc.start()
            try:
                result = await client.download(
                    f"{media_server.base}/clip.mp4?t=async", tmp_path / "a.mp4"
                )
                return result, tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    result, peak = run_async(run())
    assert result.size == PAYLOAD_SIZE
    assert result.sha256 == PAYLOAD_SHA256
    assert peak < PAYLOAD_SIZE // 10
    (headers,) = headers_for(media_server, "/clip.mp4?t=async")
    assert "Authorization" not in headers


def test_async_download_failures(media_server: MediaServer, tmp_path: Path, sleeps: Sleeps) -> None:
    async def run() -> None:
        async with AsyncClient(BASE_URL, API_KEY, max_retries=1, sleep=sleeps.asleep) as client:
            with pytest.raises(LinkExpired):
                await client.download(f"{media_server.base}/expired?t=aexp", tmp_path / "x.mp4")
            with pytest.raises(ApiError) as info:
                await client.download(f"{media_server.base}/drop?t=adrop", tmp_path / "y.mp4")
            assert info.value.status is None

    run_async(run())
    assert len(headers_for(media_server, "/drop?t=adrop")) == 2
    assert leftovers(tmp_path) == []
