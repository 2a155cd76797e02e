"""The composer in a real browser (Debian's Chromium) against the live server and engine."""

from __future__ import annotations

import pytest

from tests.composer.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_page_loads(page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "composer.png"), full_page=True)
    assert page.locator("#price").inner_text() == "$0.30"
