"""Touch screens and the keyboard: compare on a phone by finger, hints that fit the
screen they are on, and a confirmation asked and answered from the keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from studio.review.models import Comment
from tests.a11y.helpers import DESKTOP, PHONE
from tests.a11y.touch import centre, drag
from tests.conftest import Personas, sign_in
from tests.factories import make_generation
from tests.review.conftest import World
from tests.review.test_compare_browser import VIDEOS, clip

pytestmark = pytest.mark.browser

PHONE_TOUCH = {"has_touch": True, "is_mobile": True, "viewport": PHONE}


def _shown(page: Any, selector: str) -> list[bool]:
    return [
        page.locator(selector).nth(i).is_visible() for i in range(page.locator(selector).count())
    ]


@pytest.mark.browser_context_args(**PHONE_TOUCH)
def test_compare_on_a_phone_stacks_its_takes_and_follows_a_finger(
    page: Any, live_server: Any, personas: Personas
) -> None:
    a = make_generation(personas.team, personas.editor, prompt="Dawn over the harbour")
    b = make_generation(personas.team, personas.editor, prompt="Dusk over the harbour")
    clip(a, frames=24)
    clip(b, frames=24)
    sign_in(page, live_server.url, personas.viewer)
    page.goto(live_server.url + f"{reverse('review:compare')}?g={a.id}&g={b.id}")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{VIDEOS}')].every(v => v.readyState >= 2)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Side by side, on a phone, is one take above the other.
    first, second = (page.locator(".compare-grid figure").nth(i).bounding_box() for i in (0, 1))
    assert first["x"] == second["x"] and second["y"] >= first["y"] + first["height"]
    for button in page.locator(".compare-bar button, .compare-modes button").all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, button.text_content()

    # A tap switches the mode.
    page.locator("[data-mode-button=wipe]").tap()
    assert page.get_attribute("[data-compare]", "data-mode") == "wipe"
    assert page.get_attribute("[data-mode-button=wipe]", "aria-pressed") == "true"
    stage = page.locator("[data-role=stage]")
    stage.scroll_into_view_if_needed()
    box = stage.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    # A finger drags the wipe line from the middle to a quarter in; the page stays put.
    scroll = page.evaluate("[scrollX, scrollY]")
    x, y = centre(page.locator("[data-role=wipe]").bounding_box())
    drag(page, (x, y), (box["x"] + box["width"] * 0.25, y))
    assert float(page.get_attribute("[data-compare]", "data-split")) == pytest.approx(25, abs=2)
    assert page.evaluate("[scrollX, scrollY]") == scroll

    page.locator("[data-mode-button=overlay]").tap()
    assert page.get_attribute("[data-compare]", "data-mode") == "overlay"
    assert page.locator("[data-role=overlay-control]").is_visible()
    # Under the stage, the takes' captions stay whole, one under the other.
    captions = page.locator(".compare-grid figcaption")
    boxes = [captions.nth(i).bounding_box() for i in (0, 1)]
    assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]
    assert page.evaluate(
        "[...document.querySelectorAll('.compare-grid figcaption')]"
        ".every((c) => c.scrollWidth <= c.clientWidth)"
    )
    assert not page.locator("[data-role=wipe]").is_visible()
    page.locator("[data-mode-button=difference]").tap()
    assert page.get_attribute("[data-compare]", "data-mode") == "difference"
    page.locator("[data-mode-button=side]").tap()
    assert not stage.is_visible()


def test_key_hints_on_a_keyboard_screen_and_touch_hints_on_a_touch_screen(
    browser: Any, live_server: Any, world: World
) -> None:
    url = live_server.url + reverse("review:shared_item", args=[world.token, world.take.id])
    hints = ".player-bar .desk-only, #range-hint .desk-only"
    touch_hints = ".player-bar .touch-only, #range-hint .touch-only"
    for options, keyboard in ((PHONE_TOUCH, False), ({"viewport": DESKTOP}, True)):
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(url)
        assert page.locator(hints).count() == 2
        assert _shown(page, hints) == [keyboard, keyboard]
        assert _shown(page, touch_hints) == [not keyboard, not keyboard]
        # Either way the hints name only controls the page has.
        text = page.locator(".player-bar").inner_text()
        assert ("step a frame" in text) is keyboard
        assert ("1f steps a frame" in text) is not keyboard
        context.close()


def test_a_confirmation_is_answered_from_the_keyboard_and_focus_stays_put(
    page: Any, live_server: Any, world: World
) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, world.p.reviewer)
    page.goto(live_server.url + reverse("review:generation", args=[world.take.id]))
    delete = page.locator(f"#comment-{world.comment.pk} form.delete-comment button")
    delete.focus()
    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    # Refused: nothing is deleted and focus is still on the Delete button.
    page.once("dialog", answer(False))
    page.keyboard.press("Enter")
    assert asked == ["Delete this comment?"]
    assert Comment.objects.filter(pk=world.comment.pk).exists()
    assert page.evaluate("document.activeElement.closest('form.delete-comment') !== null")

    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert len(asked) == 2
    assert "Comment deleted." in page.content()
