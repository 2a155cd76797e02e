from __future__ import annotations

import pytest

from tests.conftest import Personas, sign_in


@pytest.mark.browser
def test_sign_in_in_a_browser(page: object, live_server: object, personas: Personas) -> None:
    sign_in(page, live_server.url, personas.owner)
    assert page.locator(".topbar").is_visible()
    assert "owner@example.com" in page.locator(".user-email").inner_text()
