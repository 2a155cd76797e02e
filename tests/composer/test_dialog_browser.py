"""The composer's dialog from the keyboard alone: focus goes in when it opens, stays in
while it is open, Escape closes it, and focus comes back to the control that opened it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.composer.test_browser import images, keys, radio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "() => { const a = document.activeElement; return a.dataset.shorten || a.id || a.value; }"


def test_the_shorten_dialog_holds_focus_and_gives_it_back(page: Any, tmp_path: Path) -> None:
    radio(page, "duration", "10s").check(force=True)
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 4))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 4")
    dialog = page.locator("#shorten-dialog")

    # Space on the 5 s choice asks first, in a dialog that takes the focus.
    radio(page, "duration", "5s").focus()
    page.keyboard.press("Space")
    assert dialog.is_visible()
    assert page.evaluate(FOCUSED) == "rescale"

    # Tab goes round the dialog's three buttons, both ways, and never leaves it.
    seen = []
    for _ in range(4):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert seen == ["remove", "cancel", "rescale", "remove"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "cancel"

    # Escape closes it, changes nothing, and puts focus back where it was.
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert radio(page, "duration", "10s").is_checked()
    assert keys(page) == [0, 80, 160, 240]
    assert page.evaluate("document.activeElement.value") == "5s"

    # Asked again and answered with Enter: rescaled, focus back on the 5 s choice.
    radio(page, "duration", "10s").focus()
    radio(page, "duration", "5s").focus()
    page.keyboard.press("Space")
    assert dialog.is_visible()
    page.keyboard.press("Enter")
    assert not dialog.is_visible()
    assert keys(page) == [0, 40, 80, 120]
    assert radio(page, "duration", "5s").is_checked()
    assert page.evaluate("document.activeElement.value") == "5s"
