"""A review from a phone (390 px): the header's menu, the gallery's filters panel, and a
client on a share link who plays, steps frames and comments at a frame, hearing the
result through the page's live region."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from studio.review.models import Comment
from tests.a11y.helpers import PHONE
from tests.conftest import sign_in
from tests.review.conftest import World

pytestmark = pytest.mark.browser

READY = "() => document.querySelector('[data-player] video').readyState >= 2"


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.bounding_box()


# A phone: touch input, taps instead of clicks.
@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport=PHONE)
def test_a_client_reviews_a_share_link_on_a_phone(
    page: Any, live_server: Any, world: World
) -> None:
    page.goto(live_server.url + reverse("review:shared_item", args=[world.token, world.take.id]))
    page.wait_for_function(READY)
    # The player's controls are finger-sized.
    for role in ("play", "prev", "next"):
        box = _box(page, f"[data-player] [data-role={role}]")
        assert box["width"] >= 44 and box["height"] >= 44, role

    page.tap("[data-player] [data-role=play]")
    page.wait_for_function("() => !document.querySelector('[data-player] video').paused")
    page.tap("[data-player] [data-role=play]")
    page.wait_for_function("() => document.querySelector('[data-player] video').paused")
    page.tap("[data-player] [data-role=next]")
    page.tap("[data-player] [data-role=next]")
    page.tap("[data-player] [data-role=prev]")
    scrub = page.locator("[data-role=scrub]")
    frame = int(scrub.get_attribute("aria-valuenow"))
    assert scrub.get_attribute("aria-valuetext") == (
        f"Frame {frame} of {scrub.get_attribute('aria-valuemax')}"
    )
    assert page.input_value("[data-role=comment-frame]") == str(frame)

    page.fill("#guest-name", "Dana")
    page.fill("#comment-body", "The fog lifts too early here.")
    with page.expect_navigation():
        page.tap(".comment-form button[type=submit]")
    made = Comment.objects.get(body="The fog lifts too early here.")
    assert made.frame == frame
    page.wait_for_function(
        "() => document.getElementById('announcer').textContent.startsWith('Comment added')"
    )
    assert page.text_content("#announcer") == f"Comment added at frame {frame}."


def test_the_header_folds_into_a_menu_and_the_gallery_shows_clips_first(
    page: Any, live_server: Any, world: World
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, world.p.owner)
    page.goto(live_server.url + reverse("review:gallery"))
    menu = page.locator(".menu-toggle")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not page.locator("nav[aria-label=Main]").is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.locator("nav[aria-label=Main] >> text=Compose").is_visible()
    page.locator("nav[aria-label=Main] >> text=Compose").focus()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")

    # The first clip is on the first screen; the filters wait behind their button.
    assert not page.locator("#filters-panel").is_visible()
    assert _box(page, ".clip-card")["y"] < PHONE["height"]
    toggle = page.locator("button[aria-controls=filters-panel]")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#filters-panel").is_visible()

    # On a desktop the same page shows everything at once, with no buttons in the way.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.reload()
    assert not menu.is_visible() and not toggle.is_visible()
    assert page.locator("nav[aria-label=Main]").is_visible()
    assert page.locator("#filters-panel").is_visible()


def test_the_timeline_scrubs_by_drag(page: Any, live_server: Any, world: World) -> None:
    page.goto(live_server.url + reverse("review:shared_item", args=[world.token, world.take.id]))
    page.wait_for_function(READY)
    box = _box(page, "[data-role=timeline]")
    scrub = page.locator("[data-role=scrub]")
    last = int(scrub.get_attribute("aria-valuemax"))
    y = box["y"] + box["height"] - 3  # below the comment marks, on the bare track
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=5)
    # Still held: the frame follows the pointer, not only the release.
    assert abs(int(scrub.get_attribute("aria-valuenow")) - last / 2) <= 1
    page.mouse.move(box["x"] + box["width"] + 40, y, steps=5)
    page.mouse.up()
    assert scrub.get_attribute("aria-valuenow") == str(last)
