"""Fixtures for the composer tests: stored images, the sender, the local engine and
the composer page in a browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.generations.models import Asset
from tests.factories import make_asset, png


@pytest.fixture
def image_asset(personas: object):
    """Factory: a stored image asset of Northwind, distinct per call."""
    counter = iter(range(1, 10_000))

    def make(colour: tuple[int, int, int] | None = None) -> Asset:
        n = next(counter)
        return make_asset(
            personas.team,  # type: ignore[attr-defined]
            personas.editor,  # type: ignore[attr-defined]
            png(colour=colour or (n % 256, (n * 7) % 256, (n * 13) % 256)),
            name=f"frame-{n}.png",
        )

    return make


def run_sender(passes: int = 4) -> None:
    """Run the sender as it runs in the background: upload the inputs, then the create."""
    from studio.generations.sender import SenderConfig, send_once

    config = SenderConfig.from_settings(owner="tests")
    for _ in range(passes):
        if not send_once(config).worked:
            return


@pytest.fixture
def engine(live_server: object, transactional_db: None, settings: object) -> str:
    """The local engine on the live server, configured as the studio's generation API."""
    from studio.engine.testing import create_key

    key = create_key("composer-tests")
    base = f"{live_server.url}/v1"  # type: ignore[attr-defined]
    settings.LUMA_BASE_URL = base  # type: ignore[attr-defined]
    settings.LUMA_AGENTS_API_KEY = key  # type: ignore[attr-defined]
    return base


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium(browser: object) -> object:
    """pytest-playwright's browser (Debian's Chromium, launched by the root conftest)."""
    return browser


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed  # type: ignore[attr-defined]


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    chromium: object,
    engine: str,
    personas: object,
    live_server: object,
) -> Iterator[object]:
    """The composer, signed in as the editor, against the live server and its engine."""
    from django.conf import settings as django_settings
    from django.test import Client

    client = Client()
    client.force_login(personas.editor)  # type: ignore[attr-defined]
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,  # type: ignore[attr-defined]
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(5000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/compose/")  # type: ignore[attr-defined]
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    if getattr(request.node, "failed_call", False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, errors
