"""WCAG 2.1 A and AA (axe-core) on every page template, on a desktop and on a phone.

The pages are those of tests/security/pages.py: the owner's and the team's pages signed
in, the share pages as a guest with nothing but the link.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.a11y.helpers import DESKTOP, PHONE, each_page
from tests.review.conftest import World

pytestmark = pytest.mark.browser

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _problems(results: Any) -> list[str]:
    problems = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            problems.append(f"{violation['id']}: {node['target']} {node['failureSummary']}")
    return problems


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440px", "390px"])
def test_every_page_meets_wcag_21_aa(
    page: Any, live_server: Any, world: World, size: dict[str, int]
) -> None:
    page.set_viewport_size(size)
    axe = Axe()
    # One line per problem, naming every page it was found on: most live in the base.
    found: dict[str, list[str]] = {}
    for entry in each_page(page, live_server.url, world):
        for problem in _problems(axe.run(page, options=RULES)):
            found.setdefault(problem, []).append(entry.name)
    assert not found, "\n\n".join(f"{p}\n  on: {', '.join(n)}" for p, n in found.items())
