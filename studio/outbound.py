"""The one guard for every request to an address the studio or its engine was handed.

Image URLs in a create body, output and upload links a generation API answers with, and
a team's own API base URL all reach the network through this module:

- the host is resolved **once**, every address it resolves to is checked, and the
  connection is made to an address that was checked (resolving again at connect time
  would let a DNS answer change in between and reach loopback: "rebinding");
- an address is refused when it is loopback, private, link-local, multicast, reserved
  or otherwise not public, also when it hides inside an IPv6 address (IPv4-mapped,
  6to4, NAT64);
- the destinations an administrator configured are allowed even when private: the
  studio's own API (``LUMA_BASE_URL``, the local engine), the storage endpoint
  (``AWS_S3_ENDPOINT_URL``) and ``STUDIO_ALLOWED_API_HOSTS``, compared by host and port
  after normalising both;
- every redirect is a new request through the same transport, so each hop is checked;
- answers are capped in size and in time.

TLS keeps working as usual: only the TCP connection is pinned, so SNI, the ``Host``
header and certificate verification all use the host name of the URL.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Destination = tuple[str, int]  # (normalised host, port)

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64 prefixes carry an IPv4 address in their last 32 bits (RFC 6052, RFC 8215).
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
CHUNK = 64 * 1024


class Refused(httpcore.ConnectError):
    """The destination is not allowed; nothing was sent.

    A ConnectError so that httpx reports it as one (a request that never left) and the
    callers that care find it as the cause of the httpx error (``refusal_of``).
    """


class HostNotFound(httpcore.ConnectError):
    """The host name did not resolve; nothing was sent."""


class TooLarge(httpx.TransportError):
    """The answer is larger than the cap; what arrived is dropped."""


class TooSlow(httpx.TimeoutException):
    """The answer took longer than the cap in all (each read may still be quick)."""


# --- Addresses -----------------------------------------------------------------------


def normalise_address(value: str) -> Address:
    """An IP address as the network sees it: no zone, IPv4-mapped IPv6 as its IPv4."""
    address = ipaddress.ip_address(value.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def normalise_host(host: str) -> str:
    """A host as compared against the allowed destinations: lower case, no brackets or
    trailing dot; an address in its normalised, compressed form."""
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        return str(normalise_address(host))
    except ValueError:
        return host


def non_public(address: Address) -> str | None:
    """Why ``address`` is not a public one (``"loopback"``, ``"private"``…), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in net for net in NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and (why := non_public(embedded)):
            return why
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-public"
    return None


# --- What an administrator allowed -------------------------------------------------


def _destination(url: str) -> Destination | None:
    """(host, port) of an absolute http(s) URL, the port defaulting by scheme."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return normalise_host(parts.hostname), port or DEFAULT_PORTS[parts.scheme]


def _entry(entry: str) -> Destination:
    """One ``STUDIO_ALLOWED_API_HOSTS`` item: ``host:port``, ``[v6]:port``, ``host``
    (port 443) or a URL (its scheme's port when none is given)."""
    found = _destination(entry) if "://" in entry else _destination(f"https://{entry}")
    if found is None:
        raise ImproperlyConfigured(
            f"STUDIO_ALLOWED_API_HOSTS: {entry!r} is not a host:port (nor an http(s) URL)"
        )
    return found


def allowed_api_hosts() -> frozenset[Destination]:
    return frozenset(_entry(item) for item in settings.STUDIO_ALLOWED_API_HOSTS)


def configured_destinations() -> frozenset[Destination]:
    """Every destination an administrator configured, allowed even when private."""
    urls = (settings.LUMA_BASE_URL, getattr(settings, "AWS_S3_ENDPOINT_URL", None) or "")
    found = {d for url in urls if url and (d := _destination(url)) is not None}
    return frozenset(found) | allowed_api_hosts()


# --- The check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """The addresses a host resolved to, each one allowed; connect only to these."""

    host: str
    port: int
    addresses: tuple[str, ...]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (one lookup), normalised, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise HostNotFound(f"{host}: host not found") from None
    seen: dict[str, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen.setdefault(str(normalise_address(str(sockaddr[0]))), None)
    if not seen:
        raise HostNotFound(f"{host}: host not found")
    return list(seen)


def check_destination(host: str, port: int) -> Checked:
    """Resolve ``host`` once and check every address; raises Refused or HostNotFound."""
    allowed = configured_destinations()
    name = normalise_host(host)
    addresses = resolve(name, port)
    if (name, port) in allowed:
        return Checked(name, port, tuple(addresses))
    for address in addresses:
        why = non_public(ipaddress.ip_address(address))
        if why is not None and (address, port) not in allowed:
            shown = name if name == address else f"{name} ({address})"
            raise Refused(
                f"{shown} port {port} is a {why} address and not a destination the studio "
                "is configured to reach"
            )
    return Checked(name, port, tuple(addresses))


def split_url(url: str, schemes: Iterable[str] = SCHEMES) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``; Refused when it is not one of ``schemes``."""
    schemes = tuple(schemes)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("not a valid URL") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise Refused(f"only {' and '.join(schemes)} URLs are fetched")
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def check_url(url: str, schemes: Iterable[str] = SCHEMES) -> Checked:
    """The whole check of one URL as a connection would make it, without connecting."""
    _scheme, host, port = split_url(url, schemes)
    return check_destination(host, port)


def check_api_base_url(url: str) -> None:
    """A team's own API: https to a public address, unless it is the studio's own API
    (by exact base URL) or its host and port are in ``STUDIO_ALLOWED_API_HOSTS``.

    A host name that does not resolve right now passes: every connection is checked
    again, and a name can come and go. Raises Refused with a sentence for the owner.
    """
    base = url.strip().rstrip("/")
    if base and base == (settings.LUMA_BASE_URL or "").strip().rstrip("/"):
        return
    destination = _destination(base)
    if destination is None:
        raise Refused("The API base URL must be an http(s) URL.")
    if destination in allowed_api_hosts():
        return
    if not base.lower().startswith("https://"):
        raise Refused(
            "The API base URL must start with https:// (an administrator can allow "
            "another address)."
        )
    try:
        check_destination(*destination)
    except HostNotFound:
        return
    except Refused:
        raise Refused(
            f"{destination[0]} is not a public address: only public https APIs can be "
            "used unless an administrator allowed this host and port."
        ) from None


def refusal_of(exc: BaseException) -> httpcore.ConnectError | None:
    """The guard's Refused or HostNotFound behind an httpx (or client) error, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (Refused, HostNotFound)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


# --- The transport -------------------------------------------------------------------


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's blocking backend, connecting only to the addresses just checked."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        checked = check_destination(host, port)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in checked.addresses:
            try:
                # An address literal: the inner backend makes no further lookup.
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve() never returns an empty list
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise Refused("unix sockets are not an outbound destination")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Capped(httpx.SyncByteStream):
    def __init__(
        self,
        inner: httpx.SyncByteStream,
        request: httpx.Request,
        max_bytes: int,
        deadline: float,
    ) -> None:
        self._inner, self._request = inner, request
        self._max_bytes, self._deadline = max_bytes, deadline

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._inner:
            size += len(chunk)
            if size > self._max_bytes:
                raise TooLarge(too_large(self._max_bytes), request=self._request)
            if time.monotonic() > self._deadline:
                raise TooSlow("the answer took too long to arrive", request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


def too_large(limit: int) -> str:
    return f"the answer is larger than {limit} bytes"


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (streaming, errors, pooling) over the guarded backend, with
    a cap on each answer's size and on the time from request to last byte."""

    def __init__(
        self,
        *,
        max_bytes: int,
        max_seconds: float,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        # HTTPTransport keeps its whole state in ``_pool``: this sets it to a pool whose
        # connections go through the guard, and inherits the rest unchanged.
        limits = limits or httpx.Limits(max_connections=10, max_keepalive_connections=10)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(),
        )
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.max_seconds
        # The size cap counts the bytes that arrive; a compressed body could unpack to
        # far more, so ask for none and refuse one that comes anyway.
        request.headers["Accept-Encoding"] = "identity"
        response = super().handle_request(request)
        try:
            coding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if coding not in ("", "identity"):
                raise TooLarge(
                    f"the answer is compressed ({coding}) although none was asked",
                    request=request,
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise TooLarge(too_large(self.max_bytes), request=request)
            if time.monotonic() > deadline:
                raise TooSlow("the answer took too long to arrive", request=request)
        except httpx.TransportError:
            response.close()
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Capped(response.stream, request, self.max_bytes, deadline),
            extensions=response.extensions,
        )


def transport(
    *,
    limits: httpx.Limits | None = None,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    verify: ssl.SSLContext | bool = True,
) -> GuardedTransport:
    """A guarded transport; the caps default to ``STUDIO_FETCH_MAX_BYTES`` / ``_SECONDS``."""
    return GuardedTransport(
        max_bytes=settings.STUDIO_FETCH_MAX_BYTES if max_bytes is None else max_bytes,
        max_seconds=settings.STUDIO_FETCH_MAX_SECONDS if max_seconds is None else max_seconds,
        limits=limits,
        verify=verify,
    )


def client(
    *,
    timeout: httpx.Timeout | float,
    max_redirects: int = 3,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    """An httpx client for handed-in URLs: guarded, redirects followed (each hop checked).

    No proxy from the environment: a proxy would make the connection instead of the
    guard, to an address the guard never saw.
    """
    return httpx.Client(
        transport=transport(max_bytes=max_bytes, max_seconds=max_seconds, verify=verify),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=max_redirects,
        trust_env=False,
    )
