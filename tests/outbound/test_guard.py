"""The outbound guard against real servers on loopback: what it refuses, what it allows,
how it connects, and its caps."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from studio import outbound

from .conftest import Server, redirect, text

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def guarded(**caps: Any) -> httpx.Client:
    return outbound.client(timeout=TIMEOUT, **caps)


def refused(url: str, **caps: Any) -> str:
    """The guard's reason for refusing ``url``; fails the test if it was fetched."""
    with guarded(**caps) as client, pytest.raises(httpx.ConnectError) as info:
        client.get(url)
    refusal = outbound.refusal_of(info.value)
    assert isinstance(refusal, outbound.Refused), info.value
    return str(refusal)


@pytest.fixture
def loopback(serve: Callable[..., Server]) -> Server:
    return serve()


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",  # a name that resolves to loopback
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
        "0.0.0.0",  # reaches this machine on Linux
        "[::1]",
        "[::]",
    ],
)
def test_loopback_in_every_spelling_is_refused_before_connecting(
    loopback: Server, host: str
) -> None:
    reason = refused(f"http://{host}:{loopback.port}/secret")
    assert "not a destination the studio is configured to reach" in reason
    assert loopback.seen == []


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("[fc00::1]", "private"),
        ("224.0.0.1", "multicast"),
        ("[ff02::1]", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("[64:ff9b::7f00:1]", "loopback"),  # NAT64 of 127.0.0.1
        ("[2002:7f00:1::]", "loopback"),  # 6to4 of 127.0.0.1
        ("[::ffff:10.0.0.1]", "private"),
    ],
)
def test_private_and_special_addresses_are_refused(address: str, why: str) -> None:
    assert f"is a {why} address" in refused(f"http://{address}/x")


def test_public_addresses_pass_the_check() -> None:
    for address in ("8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert outbound.non_public(outbound.normalise_address(address)) is None
    assert outbound.check_url("https://8.8.8.8/v1").addresses == ("8.8.8.8",)


def test_a_name_is_refused_when_any_of_its_addresses_is_private(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"mixed.test": [["8.8.8.8", "127.0.0.1"]]}
    fake_resolver(monkeypatch, answers)
    with pytest.raises(outbound.Refused, match="mixed.test \\(127.0.0.1\\)"):
        outbound.check_url("https://mixed.test/v1")


def test_odd_schemes_and_unknown_hosts() -> None:
    with pytest.raises(outbound.Refused):
        outbound.check_url("file:///etc/passwd")
    with pytest.raises(outbound.Refused):
        outbound.check_url("ftp://8.8.8.8/x")
    with pytest.raises(outbound.HostNotFound):
        outbound.check_url("http://no-such-host.invalid/x")


# --- What an administrator configured ------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        "127.0.0.1:{port}",
        "[::ffff:127.0.0.1]:{port}",
        "http://127.0.0.1:{port}/",
        "localhost:{port}",
    ],
)
def test_a_listed_host_and_port_is_allowed_however_written(
    loopback: Server, settings: Any, entry: str
) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [entry.format(port=loopback.port)]
    with guarded() as client:
        assert client.get(f"http://localhost:{loopback.port}/hello").text == "ok"
    assert loopback.paths == ["/hello"]


def test_only_the_listed_port_is_allowed(serve: Callable[..., Server], settings: Any) -> None:
    listed, other = serve(), serve()
    settings.STUDIO_ALLOWED_API_HOSTS = [f"127.0.0.1:{listed.port}"]
    refused(f"http://127.0.0.1:{other.port}/")
    assert other.seen == []


@pytest.mark.parametrize("setting", ["LUMA_BASE_URL", "AWS_S3_ENDPOINT_URL"])
def test_the_studios_api_and_storage_endpoint_are_allowed(
    loopback: Server, settings: Any, setting: str
) -> None:
    setattr(settings, setting, f"{loopback.url}/v1")
    with guarded() as client:
        assert client.get(f"{loopback.url}/outputs/video.mp4").status_code == 200


def test_a_malformed_allowed_host_fails_loudly(settings: Any) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = ["gateway.internal:https"]
    with pytest.raises(ImproperlyConfigured, match="STUDIO_ALLOWED_API_HOSTS"):
        outbound.check_url("https://8.8.8.8/")


# --- Resolving once, connecting to what was checked ----------------------------------


def fake_resolver(
    monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]
) -> dict[str, int]:
    """Answer for the names in ``answers``: one list of addresses per lookup, the last
    one repeating; every other name resolves as usual. Returns the lookups per name.

    No real DNS server can be made to change its answer between two lookups, so this is
    the one place a test stands in for the network.
    """
    real = socket.getaddrinfo
    calls = dict.fromkeys(answers, 0)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        lookups = answers[host]
        addresses = lookups[min(calls[host], len(lookups) - 1)]
        calls[host] += 1
        infos = []
        for address in addresses:
            if ":" in address:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_dns_rebinding_cannot_reach_the_address_of_a_second_lookup(
    serve: Callable[..., Server], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name answers an allowed address first (standing in for a public one: no test
    may reach the internet) and an internal service's address on every later lookup. A
    client that checked one answer and connected by another lookup would reach it."""
    allowed = serve("127.0.0.1")
    internal = serve("127.0.0.2", allowed.port)
    settings.STUDIO_ALLOWED_API_HOSTS = [f"127.0.0.1:{allowed.port}"]
    calls = fake_resolver(monkeypatch, {"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    with guarded() as client:
        response = client.get(f"http://rebind.test:{allowed.port}/image.png")
    assert response.status_code == 200
    assert calls["rebind.test"] == 1
    assert allowed.paths == ["/image.png"] and internal.seen == []
    # The Host header still names the host of the URL.
    assert allowed.seen[0][1]["Host"] == f"rebind.test:{allowed.port}"


def test_tls_is_verified_for_the_host_name_while_connecting_to_the_checked_address(
    serve: Callable[..., Server], settings: Any, localhost_cert: tuple[Path, Path]
) -> None:
    cert, key = localhost_cert
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = serve("127.0.0.1", tls=tls)
    settings.STUDIO_ALLOWED_API_HOSTS = [f"localhost:{server.port}", f"127.0.0.1:{server.port}"]
    trust = ssl.create_default_context(cafile=str(cert))
    with guarded(verify=trust) as client:
        assert client.get(f"https://localhost:{server.port}/v1/x").text == "ok"
        # The certificate names localhost, not the address: verification is by name.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.get(f"https://127.0.0.1:{server.port}/v1/x")
    assert server.server_names[0] == "localhost"
    assert server.seen[0][1]["Host"] == f"localhost:{server.port}"


# --- Redirects -----------------------------------------------------------------------


def test_a_redirect_from_an_allowed_server_to_loopback_is_refused(
    serve: Callable[..., Server], settings: Any
) -> None:
    allowed, internal = serve(), serve()
    settings.STUDIO_ALLOWED_API_HOSTS = [f"127.0.0.1:{allowed.port}"]
    allowed.routes["/hop"] = redirect(f"http://127.0.0.1:{internal.port}/admin")
    allowed.routes["/stay"] = redirect("/landed")
    with guarded() as client:
        assert client.get(f"{allowed.url}/stay").url.path == "/landed"
    refused(f"{allowed.url}/hop")
    assert allowed.paths == ["/stay", "/landed", "/hop"]
    assert internal.seen == []


# --- Caps ----------------------------------------------------------------------------


def _close_delimited(body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer without Content-Length: its size is known only as it arrives."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """One byte every tenth of a second: each read is quick, the whole is not."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.end_headers()
    for _ in range(300):
        try:
            handler.wfile.write(b"x")
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(0.1)


def test_size_cap_declared_or_counted(loopback: Server, settings: Any) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [f"127.0.0.1:{loopback.port}"]
    loopback.routes["/declared"] = text(b"x" * 1000)
    loopback.routes["/counted"] = _close_delimited(b"x" * 1000)
    with guarded(max_bytes=100) as client:
        assert client.get(f"{loopback.url}/small").text == "ok"
        for path in ("/declared", "/counted"):
            with pytest.raises(outbound.TooLarge, match="larger than 100 bytes"):
                client.get(f"{loopback.url}{path}")


def test_a_compressed_answer_is_refused(loopback: Server, settings: Any) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [f"127.0.0.1:{loopback.port}"]
    loopback.routes["/zipped"] = text(gzip.compress(b"x" * 10_000), Content_Encoding="gzip")
    with guarded(max_bytes=1000) as client, pytest.raises(outbound.TooLarge, match="gzip"):
        client.get(f"{loopback.url}/zipped")
    assert loopback.seen[0][1]["Accept-Encoding"] == "identity"


def test_time_cap_ends_a_slow_answer(loopback: Server, settings: Any) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [f"127.0.0.1:{loopback.port}"]
    loopback.routes["/slow"] = _drip
    with guarded(max_seconds=1.0) as client, pytest.raises(outbound.TooSlow):
        client.get(f"{loopback.url}/slow")


def test_the_address_helpers() -> None:
    assert outbound.normalise_host("[::FFFF:7F00:1]") == "127.0.0.1"
    assert outbound.normalise_host("Gateway.Internal.") == "gateway.internal"
    assert outbound.normalise_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
