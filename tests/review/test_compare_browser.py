"""Compare modes in headless Chromium: wipe, overlay and difference drawn on one canvas,
frame by frame, for takes of different sizes, switched from the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from studio.generations.models import Generation, Output
from tests.conftest import sign_in
from tests.factories import FPS, make_generation, write_mp4

pytestmark = pytest.mark.browser

VIDEOS = "video[data-role=take]"
# The largest channel value over the whole canvas (0: every pixel is black).
BRIGHTEST = """() => {
  const c = document.querySelector('[data-role=canvas]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let max = 0;
  for (let i = 0; i < d.length; i += 4) max = Math.max(max, d[i], d[i + 1], d[i + 2]);
  return max;
}"""
PIXEL = """([x, y]) => [...document.querySelector('[data-role=canvas]').getContext('2d')
  .getImageData(x, y, 1, 1).data.slice(0, 3)]"""


def clip(generation: Generation, frames: int, width: int = 320, height: int = 180) -> str:
    """A real clip of the given size as the generation's video; returns its file name."""
    name = f"outputs/test/{generation.id}/video.mp4"
    write_mp4(Path(settings.MEDIA_ROOT) / name, frames=frames, width=width, height=height)
    share(generation, name, frames, width, height)
    return name


def share(generation: Generation, name: str, frames: int, width: int, height: int) -> None:
    Output.objects.create(
        generation=generation,
        kind="video",
        file=name,
        size_bytes=(Path(settings.MEDIA_ROOT) / name).stat().st_size,
        width=width,
        height=height,
        fps=FPS,
        frames=frames,
        codec="h264",
    )


def open_compare(
    page, live_server, personas, a: Generation, b: Generation, *, signed_in: bool = False
) -> None:
    if not signed_in:
        sign_in(page, live_server.url, personas.viewer)
    page.goto(live_server.url + f"{reverse('review:compare')}?g={a.id}&g={b.id}")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{VIDEOS}')].every(v => v.readyState >= 2)"
    )


def at_frame(page, n: int) -> None:
    """Step to frame ``n`` with the keys and wait until the canvas shows it."""
    current = int(page.get_attribute("[data-compare]", "data-frame"))
    key = "." if n >= current else ","
    for _ in range(abs(n - current)):
        page.keyboard.press(key)
    page.wait_for_function(
        f"() => document.querySelector('[data-compare]').dataset.drawnFrame === '{n}'"
    )


def test_difference_of_a_clip_with_itself_is_black(page, live_server, personas) -> None:
    a = make_generation(personas.team, personas.editor, prompt="Take A")
    same = make_generation(personas.team, personas.editor, prompt="Take A again")
    name = clip(a, frames=24)
    share(same, name, 24, 320, 180)
    open_compare(page, live_server, personas, a, same)
    page.keyboard.press("4")
    assert page.get_attribute("[data-compare]", "data-mode") == "difference"
    assert page.locator("[data-role=stage]").is_visible()
    for frame in (0, 10, 23):
        at_frame(page, frame)
        assert page.evaluate(BRIGHTEST) == 0
    # Against a different take the moving bar shows up, frame by frame.
    b = make_generation(personas.team, personas.editor, prompt="Take B")
    clip(b, frames=48)
    open_compare(page, live_server, personas, a, b, signed_in=True)
    page.keyboard.press("4")
    at_frame(page, 10)
    assert page.evaluate(BRIGHTEST) > 150


def test_wipe_line_follows_drag_keys_and_touch_over_letterboxed_takes(
    page, live_server, personas
) -> None:
    wide = make_generation(personas.team, personas.editor, prompt="Landscape")
    tall = make_generation(personas.team, personas.editor, prompt="Portrait")
    clip(wide, frames=24, width=320, height=180)
    clip(tall, frames=24, width=180, height=320)
    open_compare(page, live_server, personas, wide, tall)
    page.keyboard.press("2")
    at_frame(page, 0)
    # One frame large enough for both, each letterboxed inside it.
    assert page.evaluate(
        "() => [document.querySelector('[data-role=canvas]').width,"
        " document.querySelector('[data-role=canvas]').height]"
    ) == [320, 320]
    assert page.get_attribute("[data-compare]", "data-split") == "50"
    # Left of the line: the landscape take, with black bars above and below it.
    assert max(page.evaluate(PIXEL, [60, 20])) < 10
    assert min(page.evaluate(PIXEL, [60, 160])) > 25
    # Right of the line: the portrait take, with black bars at its sides.
    assert min(page.evaluate(PIXEL, [200, 20])) > 25
    assert max(page.evaluate(PIXEL, [300, 160])) < 10

    box = page.locator("[data-role=canvas]").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=3)
    page.mouse.move(box["x"] + box["width"] * 0.75, y, steps=3)
    page.mouse.up()
    assert float(page.get_attribute("[data-compare]", "data-split")) == pytest.approx(75, abs=1)
    # The line sits where the pointer let go, over the frame as drawn.
    line = page.locator("[data-role=wipe]").bounding_box()
    assert line["x"] + line["width"] / 2 == pytest.approx(box["x"] + box["width"] * 0.75, abs=3)
    page.wait_for_function("() => document.querySelector('[data-compare]').dataset.drawnFrame")
    # Now the landscape take reaches past the middle.
    assert min(page.evaluate(PIXEL, [200, 160])) > 25 and max(page.evaluate(PIXEL, [200, 20])) < 10

    # The line has focus after a drag; the arrow keys move it (Shift: ten times as far).
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    split = float(page.get_attribute("[data-role=wipe]", "aria-valuenow"))
    assert split == pytest.approx(73, abs=1)
    page.keyboard.press("Shift+ArrowLeft")
    assert float(page.get_attribute("[data-compare]", "data-split")) == pytest.approx(63, abs=1)
    page.keyboard.press("Home")
    assert page.get_attribute("[data-compare]", "data-split") == "0"

    # A finger drags it too (pointer events of a touch pointer).
    for kind, fraction in (("pointerdown", 0.2), ("pointermove", 0.3), ("pointerup", 0.3)):
        page.dispatch_event(
            "[data-role=stage]",
            kind,
            {
                "pointerId": 7,
                "pointerType": "touch",
                "isPrimary": True,
                "bubbles": True,
                "clientX": box["x"] + box["width"] * fraction,
                "clientY": y,
            },
        )
    assert float(page.get_attribute("[data-compare]", "data-split")) == pytest.approx(30, abs=1)


def test_overlay_slider_sets_the_opacity_of_b(page, live_server, personas) -> None:
    a = make_generation(personas.team, personas.editor, prompt="Take A")
    b = make_generation(personas.team, personas.editor, prompt="Take B")
    clip(a, frames=24)
    clip(b, frames=48)
    open_compare(page, live_server, personas, a, b)
    assert page.locator("[data-role=overlay-control]").is_hidden()
    page.keyboard.press("3")
    assert page.locator("[data-role=overlay-control]").is_visible()
    at_frame(page, 10)
    # At frame 10, A's bar is near x=139 and B's near x=70: sample A's bar.
    x, y = 139, 90
    reds = {}
    for opacity in (0, 50, 100):
        page.fill("#compare-opacity", str(opacity))
        page.dispatch_event("#compare-opacity", "input")
        page.wait_for_function(
            "() => document.querySelector('[data-compare]').dataset.drawnFrame === '10'"
        )
        reds[opacity] = page.evaluate(PIXEL, [x, y])[0]
    assert page.locator("[data-role=opacity-value]").inner_text() == "100%"
    assert reds[0] > 200 and reds[100] < 70
    assert reds[50] == pytest.approx((reds[0] + reds[100]) / 2, abs=20)


def test_keys_and_buttons_switch_modes(page, live_server, personas) -> None:
    a = make_generation(personas.team, personas.editor, prompt="Take A")
    b = make_generation(personas.team, personas.editor, prompt="Take B")
    clip(a, frames=24)
    clip(b, frames=24)
    open_compare(page, live_server, personas, a, b)
    root = "[data-compare]"
    assert page.get_attribute(root, "data-mode") == "side"
    assert page.locator("[data-role=stage]").is_hidden()
    for key, mode in (("2", "wipe"), ("3", "overlay"), ("4", "difference"), ("1", "side")):
        page.keyboard.press(key)
        assert page.get_attribute(root, "data-mode") == mode
        pressed = page.get_attribute(f"[data-mode-button={mode}]", "aria-pressed")
        assert pressed == "true"
        assert page.locator("[data-role=wipe]").is_visible() == (mode == "wipe")
    assert page.locator("[data-role=stage]").is_hidden()
    page.click("[data-mode-button=wipe]")
    assert page.get_attribute(root, "data-mode") == "wipe"
    assert page.get_attribute("[data-mode-button=side]", "aria-pressed") == "false"
    # Frame steps keep working in every mode, and both takes follow.
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.wait_for_function(
        "() => document.querySelector('[data-compare]').dataset.drawnFrame === '2'"
    )
    times = page.eval_on_selector_all(VIDEOS, "vs => vs.map(v => v.currentTime)")
    assert times == pytest.approx([2.5 / FPS, 2.5 / FPS], abs=1e-3)
