"""The poller's network side: GETs and downloads, concurrent and bounded, no database.

One Client per API (base URL and key) for the whole pass, so connections are reused;
a thread pool of ``concurrency`` workers bounds how many requests are in flight. The
client's own retries are off: a failing generation is rescheduled with backoff instead
of holding the pass.

Threads and the blocking client rather than asyncio: measured against the local engine
on two cores, the same 1,000 GETs cost the poller about half the CPU time (0.8–0.9 s
against 1.3–2.1 s with AsyncClient, whose connection pool checks every idle connection
on each request), and the pass finished sooner.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from studio import outbound
from studio.client import ApiError, Client, Download, LinkExpired

# Output types the studio keeps, and the file name each is stored under.
OUTPUT_FILES = {"video": "video.mp4", "exr": "exr.zip"}
# How many times a refused link is replaced by a fresh GET before giving up for this pass.
LINK_REFRESHES = 2

ApiKey = tuple[str, str]  # (base URL, API key)
STALE_CONNECTION_ERRORS = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Look:
    """What one GET brought back: the generation's JSON, or the error."""

    answer: dict[str, Any] | None = None
    error: ApiError | None = None


@dataclass(frozen=True)
class FetchJob:
    key: ApiKey
    remote_id: str
    answer: dict[str, Any]  # the latest GET, with the links to download
    folder: Path
    skip: frozenset[str] = frozenset()  # output types already kept


@dataclass
class Fetched:
    files: dict[str, Download] = field(default_factory=dict)
    refreshed: int = 0  # fresh GETs made after a refused link
    error: Exception | None = None


class Clients:
    """One Client per API for the duration of a pass (shared by the pool's threads)."""

    def __init__(self, timeout: float, concurrency: int) -> None:
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self._clients: dict[ApiKey, Client] = {}

    def get(self, key: ApiKey) -> Client:
        client = self._clients.get(key)
        if client is None:
            base_url, api_key = key
            # As many pooled connections as requests in flight, all kept alive: a larger
            # pool only costs idle-connection checks on every request.
            limits = httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            )
            # Through the outbound guard: a team's API, and every link an API answers
            # with, may name any address.
            client = Client(
                base_url,
                api_key,
                timeout=self.timeout,
                max_retries=0,
                transport=outbound.transport(limits=limits),
            )
            self._clients[key] = client
        return client

    def close(self) -> None:
        for client in self._clients.values():
            with contextlib.suppress(Exception):
                client.close()
        self._clients.clear()


def look_all(
    jobs: Iterable[tuple[Any, ApiKey, str]], *, concurrency: int, timeout: float
) -> dict[Any, Look]:
    """GET every ``(token, key, remote_id)``; answers keyed by token."""
    jobs = list(jobs)
    # Clients are made before the threads start: no two threads race to make one.
    clients = Clients(timeout, concurrency)
    for _, key, _ in jobs:
        clients.get(key)

    def one(job: tuple[Any, ApiKey, str]) -> Look:
        _, key, remote_id = job
        try:
            return Look(answer=once_more_if_stale(clients.get(key).get_generation, remote_id))
        except ApiError as exc:
            return Look(error=exc)

    try:
        with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="poll-get") as pool:
            looks = list(pool.map(one, jobs))
        return {token: look for (token, _, _), look in zip(jobs, looks, strict=True)}
    finally:
        clients.close()


def stale_connection(exc: ApiError) -> bool:
    """A kept-alive connection the server closed just as we reused it: safe to resend a GET.

    Anything else (timeouts, 5xx, 429) goes back to the caller, which reschedules the
    generation rather than holding the pass.
    """
    return isinstance(exc.__cause__, STALE_CONNECTION_ERRORS)


def once_more_if_stale[T](call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, sent a second time only if the first met a stale connection."""
    try:
        return call(*args)
    except ApiError as exc:
        if not stale_connection(exc):
            raise
    return call(*args)


def output_links(answer: dict[str, Any] | None) -> dict[str, str]:
    """``{type: url}`` of the outputs the studio keeps."""
    links: dict[str, str] = {}
    for item in (answer or {}).get("output") or []:
        if isinstance(item, dict) and item.get("type") in OUTPUT_FILES and item.get("url"):
            links[str(item["type"])] = str(item["url"])
    return links


def fetch_one(client: Client, job: FetchJob) -> Fetched:
    """Download every output of one generation; a refused link is swapped for a fresh one."""
    result = Fetched()
    links = output_links(job.answer)
    try:
        if "video" not in links and "video" not in job.skip:
            raise ApiError(None, "completed without a video output", sent=True)
        for kind, url in sorted(links.items()):
            if kind in job.skip:
                continue
            dest = job.folder / OUTPUT_FILES[kind]
            while True:
                try:
                    result.files[kind] = once_more_if_stale(client.download, url, dest)
                    break
                except LinkExpired:
                    if result.refreshed >= LINK_REFRESHES:
                        raise
                result.refreshed += 1
                fresh = output_links(once_more_if_stale(client.get_generation, job.remote_id))
                if kind not in fresh:
                    raise ApiError(None, f"fresh answer has no {kind} output", sent=True)
                url = fresh[kind]
    except (ApiError, OSError) as exc:
        result.error = exc
    return result


def fetch_all(jobs: dict[Any, FetchJob], *, concurrency: int, timeout: float) -> dict[Any, Fetched]:
    """Download the outputs of several generations, ``concurrency`` at a time."""
    clients = Clients(timeout, concurrency)
    for job in jobs.values():
        clients.get(job.key)
    try:
        tokens = list(jobs)
        with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="poll-fetch") as pool:
            results = list(
                pool.map(lambda token: fetch_one(clients.get(jobs[token].key), jobs[token]), tokens)
            )
        return dict(zip(tokens, results, strict=True))
    finally:
        clients.close()
