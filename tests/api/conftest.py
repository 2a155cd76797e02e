from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas


@pytest.fixture
def api_tokens(personas: Personas) -> dict[str, str]:
    """A token per Northwind member, and the outsider's in their own team (plain text)."""
    from studio.api.tokens import issue

    made = {
        role: issue(getattr(personas, role), personas.team, role)[1]
        for role in ("owner", "editor", "reviewer", "viewer")
    }
    made["outsider"] = issue(personas.outsider, personas.other_team, "outsider")[1]
    return made


@pytest.fixture
def api_configured(settings: Any) -> str:
    """A studio API that is configured but never reached (recording sends nothing)."""
    settings.LUMA_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LUMA_AGENTS_API_KEY = "luma-api-never-used"
    return settings.LUMA_BASE_URL


@pytest.fixture
def engine(live_server: Any, transactional_db: None, settings: Any) -> str:
    """The local engine on the live server, configured as the studio's generation API
    (as in tests/composer/conftest.py)."""
    from studio.engine.testing import create_key

    settings.LUMA_BASE_URL = f"{live_server.url}/v1"
    settings.LUMA_AGENTS_API_KEY = create_key("api-tests")
    return settings.LUMA_BASE_URL
