"""The main pages in Chromium under the studio's Content Security Policy: nothing on them
is refused, nothing fails, and what used to be inline (the team switch) still works."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from studio.teams.models import Membership, Role
from tests.conftest import sign_in
from tests.review.conftest import World

pytestmark = pytest.mark.browser

# Injected before any of the page's own scripts, so every refusal of the policy is seen,
# including those after the page has loaded (hovering, playing).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const text = `${location.pathname}: ${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(text);
  window.reportViolation(text);
});
"""


def visit(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_the_main_pages_break_no_rule_of_the_policy(
    page: Any, live_server: Any, world: World
) -> None:
    problems: list[str] = []
    page.expose_function("reportViolation", lambda text: problems.append(f"refused {text}"))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # A second team makes the header's team switch appear.
    Membership.objects.create(team=world.p.other_team, user=world.p.owner, role=Role.VIEWER)
    sign_in(page, live_server.url, world.p.owner)
    base = live_server.url

    visit(page, base + reverse("review:gallery"))
    page.hover(f"li[data-id='{world.take.id}'] .clip-media", position={"x": 200, "y": 60})
    visit(page, base + reverse("composer:compose"))
    visit(page, f"{base}{reverse('composer:compose')}?action=reframe&source={world.take.id}")
    visit(page, base + reverse("review:generation", args=[world.take.id]))
    page.wait_for_function("() => document.querySelector('[data-player] video').readyState >= 2")
    page.keyboard.press(".")
    page.click("[data-player] [data-role=play]")
    page.click("[data-player] [data-role=play]")
    visit(page, base + reverse("teams:team"))
    visit(page, base + reverse("review:shared_item", args=[world.token, world.take.id]))
    page.wait_for_function("() => document.querySelector('[data-player] video').readyState >= 2")
    assert problems == []

    # The policy is enforced, and the listener hears it: an inline style is refused.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("() => window.__violations.length > 0", timeout=10000)
    assert ": style-src-attr inline " in page.evaluate("window.__violations")[0]

    # The team switch submits itself on a change (no inline handler any more).
    page.goto(base + reverse("review:gallery"))
    with page.expect_navigation():
        page.select_option("#team-switch", str(world.p.other_team.pk))
    # Rendered afresh by the server: the other team is the current one now.
    assert page.locator("#team-switch option[selected]").inner_text() == "Elsewhere"
    assert page.locator(".role-badge").inner_text() == "Viewer"
