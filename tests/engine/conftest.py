"""Fixtures for the engine's tests: keys and HTTP clients that speak to the real views.

``api`` talks to the WSGI application in-process (real routing, middleware and
database, inside the test's transaction); tests that need a socket (downloads, the
official SDK, image URLs) use pytest-django's ``live_server`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from studio.engine.testing import create_key


def _in_test_transaction(app: Callable[..., Any]) -> Callable[..., Any]:
    """The WSGI app without the per-request connection recycling, as Django's own
    test client does: closing the connection would end the test's transaction."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            return list(app(environ, start_response))
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    return call


def wsgi_client(key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(
        transport=httpx.WSGITransport(app=_in_test_transaction(get_wsgi_application())),
        base_url="http://testserver/v1",
        headers=headers,
    )


@pytest.fixture
def key(db: None) -> str:
    return create_key("test")


@pytest.fixture
def api(key: str) -> Iterator[httpx.Client]:
    with wsgi_client(key) as client:
        yield client
