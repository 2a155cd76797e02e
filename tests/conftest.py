"""Shared fixtures: the personas every permission test uses.

Who may see what (one team, "Northwind"):
- owner: manages members, budget and API settings; composes and reviews.
- editor: composes (spends) and reviews.
- reviewer: watches, comments, approves; cannot spend.
- viewer: watches only.
- outsider: signed in, member of another team only; sees nothing of Northwind (404s).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    # Imported for annotations only: Django's apps are not ready while pytest imports this.
    from django.contrib.auth.models import User
    from playwright.sync_api import Page

    from studio.teams.models import Team

# Django's live server with Playwright's sync API runs in one thread with an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Personas:
    team: Team
    other_team: Team
    owner: User
    editor: User
    reviewer: User
    viewer: User
    outsider: User

    def by_role(self) -> dict[str, User]:
        return {
            "owner": self.owner,
            "editor": self.editor,
            "reviewer": self.reviewer,
            "viewer": self.viewer,
            "outsider": self.outsider,
        }


@pytest.fixture
def personas(db: None) -> Personas:
    from studio.accounts.users import create_user
    from studio.teams.create import create_team
    from studio.teams.models import Membership, Role

    owner = create_user("owner@example.com", PASSWORD, name="Olive Owner")
    editor = create_user("editor@example.com", PASSWORD, name="Eddie Editor")
    reviewer = create_user("reviewer@example.com", PASSWORD, name="Rita Reviewer")
    viewer = create_user("viewer@example.com", PASSWORD, name="Vic Viewer")
    outsider = create_user("outsider@example.com", PASSWORD, name="Otto Outsider")
    team = create_team("Northwind", owner)
    for user, role in ((editor, Role.EDITOR), (reviewer, Role.REVIEWER), (viewer, Role.VIEWER)):
        Membership.objects.create(team=team, user=user, role=role)
    other_team = create_team("Elsewhere", outsider)
    return Personas(
        team=team,
        other_team=other_team,
        owner=owner,
        editor=editor,
        reviewer=reviewer,
        viewer=viewer,
        outsider=outsider,
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test writes media to its own folder, never to the developer's data folder."""
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root / "studio"  # type: ignore[attr-defined]
    settings.ENGINE_MEDIA_ROOT = root / "engine"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    """The personas' password hashes would dominate the tests' time: the default hasher
    is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


# Browser tests use pytest-playwright's `page` fixture, driving Debian's Chromium (a
# downloaded browser is not available). Screenshots of failures land in test-artifacts/.
# Pages carry the studio's Content Security Policy (no 'unsafe-eval'): give
# `page.wait_for_function` a function ("() => …"), which is evaluated once; a bare
# expression is evaluated again on every poll, and the policy refuses that.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def signed_in_page(page: Page, live_server: Any, personas: Personas) -> Page:
    """A browser page signed in as the editor (use `sign_in(page, url, user)` for others)."""
    sign_in(page, live_server.url, personas.editor)
    return page


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/signin/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/**")


def run_async[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh event loop in a thread of its own.

    Once a browser test has run in a test process, Playwright's sync API keeps an event
    loop running on the main thread, and `asyncio.run()` there refuses to start.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
