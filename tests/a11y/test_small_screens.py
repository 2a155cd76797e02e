"""Phones and tablets: no page is wider than the screen, the header folds into a menu,
the gallery shows its clips before its filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y.helpers import PHONE, TABLET, each_page
from tests.review.conftest import World

pytestmark = pytest.mark.browser

# Wider than the screen is wider than the screen whatever the page hides: an element cut
# off by `overflow: hidden` counts as well. Only a region that scrolls by itself (a wide
# table in its own scroller) may hold something wider.
SCROLLS = """(el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX; if (x === "auto" || x === "scroll") return true; }
  return false; }"""
SHOWN = f"""[...document.body.querySelectorAll("*")].filter((el) => el.getClientRects().length
    && !el.closest(".visually-hidden") && !({SCROLLS})(el))"""
WIDTH = f"""() => {{
  const overflow = (el) => getComputedStyle(el).overflowX;
  const widest = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth,
    ...{SHOWN}.map((el) => el.getBoundingClientRect().right));
  return {{widest: Math.ceil(widest), screen: window.innerWidth,
    hidden: [overflow(document.documentElement), overflow(document.body)]}};
}}"""

# The elements sticking out past the right edge, for the failure message.
CULPRITS = f"""() => {SHOWN}
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-3).map((el) => el.tagName.toLowerCase() + (el.getAttribute("class") ? "." + el.getAttribute("class") : ""))"""


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["390px", "768px"])
def test_no_page_is_wider_than_the_screen(
    page: Any, live_server: Any, world: World, size: dict[str, int]
) -> None:
    page.set_viewport_size(size)
    wide: dict[str, object] = {}
    for entry in each_page(page, live_server.url, world):
        measured = page.evaluate(WIDTH)
        if measured["widest"] > measured["screen"] or "hidden" in measured["hidden"]:
            wide[entry.name] = (measured, page.evaluate(CULPRITS))
    assert not wide, "\n".join(f"{name}: {why}" for name, why in wide.items())
