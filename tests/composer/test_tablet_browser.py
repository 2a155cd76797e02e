"""The composer on a tablet (768 × 1024, a touch screen): images picked with the file
input, keyframes dragged along the timeline by a finger, snapping to frames and, when
asked, to whole seconds; and the generation sent carries what the finger placed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio.engine.models import EngineGeneration
from studio.generations.models import Generation
from tests.a11y.helpers import TABLET
from tests.a11y.touch import Finger, centre, drag
from tests.composer.conftest import run_sender
from tests.composer.test_browser import clip, images, keys  # noqa: F401 (clip: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tablet(chromium: Any, engine: str, personas: Any, live_server: Any) -> Iterator[Any]:
    """The composer in a touch-screen tablet's browser, signed in as the editor."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(personas.editor)
    context = chromium.new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(5000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/compose/")
    yield page
    context.close()
    assert not errors, errors


def x_of(page: Any, frame: float, last: int = 120) -> float:
    """Where on the screen the timeline draws `frame` (fractions land inside the frame)."""
    inner = page.locator(".tl-inner").first.bounding_box()
    return inner["x"] + inner["width"] * frame / last


def settled(page: Any, frames: list[int]) -> None:
    """Wait until the timeline's field holds keyframes at `frames`."""
    page.wait_for_function(
        "(want) => JSON.stringify(JSON.parse(document.querySelector('#id_keyframes').value)"
        ".map((k) => k.frame)) === JSON.stringify(want)",
        arg=frames,
    )
    assert keys(page) == frames


def test_a_finger_drags_keyframes_to_frames_and_the_generation_carries_them(
    tablet: Any, tmp_path: Path
) -> None:
    page = tablet
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")
    page.fill("#id_prompt", "a kite climbs over the dunes")
    # No dragging files from a desktop here: the images come from the picker.
    assert page.locator(".tl-drop-hint .touch-only").first.is_visible()
    assert not page.locator(".tl-drop-hint .desk-only").first.is_visible()
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 3))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 3")
    assert keys(page) == [0, 60, 120]

    # Finger-sized targets: the keyframes and every tool of the timeline.
    page.locator(".tl-track").first.scroll_into_view_if_needed()
    targets = ".tl-key, .tl button:not([hidden]), .tl .button, .tl-frame-input, #submit"
    small = page.eval_on_selector_all(
        targets,
        """(nodes) => nodes.filter((n) => n.checkVisibility()).map((n) => {
            const r = n.getBoundingClientRect();
            return [n.textContent.trim() || n.className, r.width, r.height];
        }).filter(([, w, h]) => w < 44 || h < 44)""",
    )
    assert small == []

    # The middle keyframe, dragged by a finger to 30.4 frames in: it lands on frame 30,
    # and the page did not scroll under the finger.
    scroll = page.evaluate("[scrollX, scrollY]")
    key = page.locator('.tl-key[data-frame="60"]')
    x, y = centre(key.bounding_box())
    finger = Finger(page)
    finger.down(x, y)
    finger.move(x_of(page, 30.4), y + 6, steps=10)
    # Touch input reaches the page a little later than the call that sends it.
    page.wait_for_function(
        "() => document.querySelector('.tl-tip').textContent === 'frame 30 · 1.25 s'"
    )
    finger.up()
    settled(page, [0, 30, 120])
    assert page.evaluate("[scrollX, scrollY]") == scroll

    # Snap to seconds, switched on by a tap: 49 frames in lands on 48 (two seconds).
    page.locator(".tl-snap button", has_text="seconds").first.tap()
    page.wait_for_selector('.tl-snap button[aria-pressed="true"]:has-text("seconds")')
    x, y = centre(page.locator('.tl-key[data-frame="30"]').bounding_box())
    drag(page, (x, y), (x_of(page, 49.4), y))
    settled(page, [0, 48, 120])
    assert page.input_value(".tl-frame-input >> nth=0") == "48"

    page.locator("#submit").tap()
    page.wait_for_url("**/g/**")
    run_sender()
    assert EngineGeneration.objects.get().request["video"]["keyframe_indexes"] == [0, 48, 120]


PAD = 0.18  # the room reframe.js leaves around the new frame, as a share of its size


def test_a_finger_moves_the_reframed_picture_and_resizes_it_from_its_corner(
    clip: Generation,  # noqa: F811 (the fixture imported above)
    tablet: Any,
) -> None:
    page = tablet
    page.locator('label.mode-tab:has(input[value="reframe"])').tap()
    page.select_option("#id_source", f"g:{clip.id}")
    page.select_option("#id_aspect_ratio", "1:1")
    canvas = page.locator("#reframe-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scroll = page.evaluate("[scrollX, scrollY]")

    # Dragged by a finger: the picture moves, and the page stays where it was.
    x, y = centre(box)
    drag(page, (x, y), (x + box["width"] * 0.1, y))
    page.wait_for_function("() => document.querySelector('#id_pos_x').value !== ''")
    assert float(page.input_value("#id_pos_x")) > 0.05
    assert float(page.input_value("#id_pos_w")) == pytest.approx(1.0, abs=0.002)
    assert page.evaluate("[scrollX, scrollY]") == scroll

    # The corner handle is drawn 12 px wide; a fingertip 15 px off it still takes it.
    fw, fh = box["width"] / (1 + 2 * PAD), box["height"] / (1 + 2 * PAD)
    left, top = box["x"] + fw * PAD, box["y"] + fh * PAD
    rect = {k: float(page.input_value(f"#id_pos_{k}")) for k in ("x", "y", "w", "h")}
    corner = (left + (rect["x"] + rect["w"]) * fw + 15, top + (rect["y"] + rect["h"]) * fh + 15)
    drag(page, corner, (corner[0] - fw * 0.2, corner[1] - fh * 0.2))
    page.wait_for_function("() => +document.querySelector('#id_pos_w').value < 0.9")
    assert float(page.input_value("#id_pos_w")) == pytest.approx(0.8, abs=0.02)
    assert float(page.input_value("#id_pos_x")) == pytest.approx(rect["x"], abs=0.002)
