"""The timeline at full capacity: 64 keyframes on a 10 s clip, in a real browser."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from studio.generations.models import Generation
from tests.composer.conftest import ARTIFACTS
from tests.composer.test_browser import images, keys, radio
from tests.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FULL = [round(i * 240 / 63) for i in range(64)]  # 64 images spread over 0..240


def sixty_four(page: Any, tmp_path: Path) -> None:
    radio(page, "duration", "10s").check(force=True)
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 64))
    page.wait_for_function(
        "() => document.querySelectorAll('#id_keyframes-track .tl-key').length === 64",
        timeout=30000,
    )
    page.wait_for_function(
        "() => document.querySelector('.tl-msg').textContent.includes('64 keyframes added')",
        timeout=30000,
    )
    assert keys(page) == FULL


def boxes(page: Any) -> list[dict[str, Any]]:
    """Every keyframe drawn in the track's visible window: its box, and card or marker."""
    return page.evaluate(
        """() => {
            const track = document.querySelector('#id_keyframes-track').getBoundingClientRect();
            return [...document.querySelectorAll('#id_keyframes-track .tl-key')].map((k) => {
                const r = k.getBoundingClientRect();
                return {frame: +k.dataset.frame, marker: k.classList.contains('marker'),
                        left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                        shown: r.right > track.left && r.left < track.right};
            }).filter((b) => b.shown);
        }"""
    )


def overlaps(drawn: list[dict[str, Any]]) -> list[tuple[int, int]]:
    bad = []
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            if (
                a["left"] < b["right"] - 0.5
                and b["left"] < a["right"] - 0.5
                and a["top"] < b["bottom"] - 0.5
                and b["top"] < a["bottom"] - 0.5
            ):
                bad.append((a["frame"], b["frame"]))
    return bad


def shot(page: Any, name: str) -> None:
    """A picture of the timeline to judge by eye (SHOTS_DIR, else test-artifacts/)."""
    folder = Path(os.environ.get("SHOTS_DIR") or ARTIFACTS)
    folder.mkdir(exist_ok=True)
    page.locator(".timeline-host").first.screenshot(path=str(folder / f"timeline-{name}.png"))


def key(page: Any, frame: int) -> Any:
    return page.locator(f'#id_keyframes-track .tl-key[data-frame="{frame}"]')


def test_64_keyframes_zoom_to_frames_and_back_without_overlap(page: Any, tmp_path: Path) -> None:
    sixty_four(page, tmp_path)
    page.locator("#id_keyframes-track").focus()
    drawn = boxes(page)
    assert len(drawn) == 64  # the whole grid fits
    assert not overlaps(drawn)
    assert any(b["marker"] for b in drawn) and any(not b["marker"] for b in drawn)
    shot(page, "64-fit")

    # Every keyframe tells its frame and time on hover, markers included (they open up).
    marker = next(b for b in drawn if b["marker"])
    key(page, marker["frame"]).hover()
    tip = key(page, marker["frame"]).locator(".tl-key-tip")
    assert tip.is_visible()
    seconds = f"{marker['frame'] / 24:.2f}"
    assert tip.inner_text() == f"frame {marker['frame']} · {seconds} s"
    assert key(page, marker["frame"]).bounding_box()["width"] >= 60
    shot(page, "64-hover")
    page.mouse.move(0, 0)

    # Zoom in with the keyboard until single frames: every frame numbered on the ruler.
    page.locator("#id_keyframes-track").focus()
    zoom_in = page.get_by_role("button", name="Zoom in").first
    for _ in range(8):
        if zoom_in.is_disabled():
            break
        page.keyboard.press("+")
    assert zoom_in.is_disabled()
    labels = page.eval_on_selector_all(
        "#id_keyframes-track .tl-fno", "(ls) => ls.map((l) => +l.textContent)"
    )
    assert labels[:5] == [1, 2, 3, 4, 5]
    inner = page.locator("#id_keyframes-track .tl-inner").bounding_box()
    assert inner["width"] / 240 >= 64  # a card's width per frame
    drawn = boxes(page)
    assert drawn and all(not b["marker"] for b in drawn)
    assert not overlaps(drawn)
    shot(page, "64-frames")

    # The mini-map shows the window; a click on it scrolls there.
    window = page.locator(
        "#id_keyframes-track ~ .tl-map .tl-map-window, .tl-map .tl-map-window"
    ).first
    assert (
        window.bounding_box()["width"] < page.locator(".tl-map").first.bounding_box()["width"] / 4
    )
    mini = page.locator(".tl-map").first.bounding_box()
    page.mouse.click(mini["x"] + mini["width"] * 0.75, mini["y"] + mini["height"] / 2)
    first, last = json.loads(
        page.evaluate(
            "() => JSON.stringify(document.querySelector('.tl-map').getAttribute('aria-valuetext').match(/\\d+/g).slice(0, 2).map(Number))"
        )
    )
    assert first <= 180 <= last
    drawn = boxes(page)
    assert drawn and min(b["frame"] for b in drawn) > 120

    # The mini-map from the keyboard: Home and End go to either end of the grid.
    page.locator(".tl-map").first.focus()
    page.keyboard.press("Home")
    assert page.locator(".tl-map").first.get_attribute("aria-valuenow") == "0"
    page.keyboard.press("End")
    assert page.locator(".tl-map").first.get_attribute("aria-valuetext").endswith("to 240 of 240")

    # Ctrl + wheel zooms out again; "0" fits the whole grid.
    track = page.locator("#id_keyframes-track").bounding_box()
    page.mouse.move(track["x"] + track["width"] / 2, track["y"] + 60)
    width_before = page.locator("#id_keyframes-track .tl-inner").bounding_box()["width"]
    page.keyboard.down("Control")
    page.mouse.wheel(0, 400)
    page.keyboard.up("Control")
    page.wait_for_function(
        f"() => document.querySelector('#id_keyframes-track .tl-inner').getBoundingClientRect().width < {width_before - 1}"
    )
    page.locator("#id_keyframes-track").focus()
    page.keyboard.press("0")
    assert len(boxes(page)) == 64
    assert not overlaps(boxes(page))

    # Two fingers spreading on a touch screen zoom in.
    page.evaluate(
        """() => {
            const track = document.querySelector('#id_keyframes-track');
            const r = track.getBoundingClientRect();
            const y = r.top + 20;
            const at = (type, id, x) => track.dispatchEvent(new PointerEvent(type,
                {pointerId: id, pointerType: 'touch', clientX: x, clientY: y, bubbles: true}));
            at('pointerdown', 11, r.left + 300);
            at('pointerdown', 12, r.left + 400);
            at('pointermove', 12, r.left + 500);
            at('pointermove', 11, r.left + 200);
            at('pointerup', 11, r.left + 200);
            at('pointerup', 12, r.left + 500);
        }"""
    )
    width = page.locator("#id_keyframes-track .tl-inner").bounding_box()["width"]
    assert width > page.locator("#id_keyframes-track").bounding_box()["width"] * 2
    assert keys(page) == FULL  # looking never moved anything


def x_of(page: Any, frame: int) -> float:
    inner = page.locator("#id_keyframes-track .tl-inner").bounding_box()
    return inner["x"] + inner["width"] * frame / 240


def drag(page: Any, frame: int, to: float) -> None:
    """Drag the keyframe at `frame` until the pointer is over frame `to` of the grid."""
    page.locator("#id_keyframes-track").scroll_into_view_if_needed()
    box = key(page, frame).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(x_of(page, to), box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()


def selected(page: Any) -> list[int]:
    return page.eval_on_selector_all(
        "#id_keyframes-track .tl-key.selected", "(ks) => ks.map((k) => +k.dataset.frame)"
    )


def message(page: Any) -> str:
    return page.locator(".tl-msg").first.inner_text()


def js_round(x: float) -> int:
    return int(x + 0.5)  # Math.round, for the non-negative numbers here


def test_multi_select_move_distribute_undo_redo_and_submit(page: Any, tmp_path: Path) -> None:
    sixty_four(page, tmp_path)
    # Click, Shift-click: the range between; Ctrl-click adds one more.
    key(page, 19).click()
    key(page, 38).click(modifiers=["Shift"])
    assert selected(page) == [19, 23, 27, 30, 34, 38]
    key(page, 57).click(modifiers=["Control"])
    chosen = [19, 23, 27, 30, 34, 38, 57]
    assert selected(page) == chosen
    assert "7 selected" in page.locator(".tl-selection").first.inner_text()

    def moved(delta: int) -> list[int]:
        return sorted([f for f in FULL if f not in chosen] + [f + delta for f in chosen])

    # Together, one frame with the keyboard, then two more by dragging one of them.
    page.keyboard.press("ArrowRight")
    assert keys(page) == moved(1)
    drag(page, 24, 26)
    assert keys(page) == moved(3)
    assert selected(page) == [f + 3 for f in chosen]
    shot(page, "64-selection")

    # Onto an unselected keyframe: refused as a whole, with today's reason.
    page.keyboard.press("ArrowRight")
    assert keys(page) == moved(3)
    assert "Frame 42 already holds a keyframe: two keyframes can't share a frame." in message(page)

    # Undo and redo, from the keyboard and the buttons.
    page.keyboard.press("Control+z")
    assert keys(page) == moved(1)
    page.keyboard.press("Control+z")
    assert keys(page) == FULL
    page.get_by_role("button", name="Redo").first.click()
    assert keys(page) == moved(1)
    page.keyboard.press("Control+Shift+z")
    assert keys(page) == moved(3)
    assert page.get_by_role("button", name="Redo").first.is_disabled()

    # Distribute the seven evenly between the first and the last.
    key(page, 22).click()
    key(page, 60).click(modifiers=["Shift"])
    seven = [f + 3 for f in chosen]
    group = selected(page)
    assert group == [f for f in moved(3) if 22 <= f <= 60]
    for frame in set(group) - set(seven):  # the unselected ones in between leave again
        key(page, frame).click(modifiers=["Control"])
    assert selected(page) == seven == [22, 26, 30, 33, 37, 41, 60]
    page.get_by_role("button", name="Distribute").first.click()
    spread = [js_round(22 + i * 38 / 6) for i in range(7)]
    assert spread == [22, 28, 35, 41, 47, 54, 60]
    expected = sorted([f for f in moved(3) if f not in seven] + spread)
    assert keys(page) == expected
    page.keyboard.press("Control+z")
    assert keys(page) == moved(3)
    page.keyboard.press("Control+y")
    assert keys(page) == expected

    # The form carries exactly those frames.
    page.fill("#id_prompt", "sixty-four beats")
    page.click("#submit")
    page.wait_for_url("**/g/**", timeout=15000)
    generation = Generation.objects.get()
    assert generation.request["video"]["keyframe_indexes"] == expected
    assert [k["frame"] for k in generation.composition["keyframes"]] == expected


def test_box_select_keyboard_selection_snap_and_swap(page: Any, tmp_path: Path) -> None:
    sixty_four(page, tmp_path)
    page.locator("#id_keyframes-track").scroll_into_view_if_needed()
    track = page.locator("#id_keyframes-track").bounding_box()

    # A box drawn over the lanes selects what it touches.
    page.mouse.move(x_of(page, 104), track["y"] + 40)
    page.mouse.down()
    page.mouse.move(x_of(page, 124), track["y"] + track["height"] - 4, steps=6)
    page.mouse.up()
    picked = selected(page)
    assert {107, 110, 114, 118, 122} <= set(picked)
    assert all(95 <= f <= 137 for f in picked), picked
    assert keys(page) == FULL

    # The keyboard: walk with Ctrl+arrows, extend with Ctrl+Shift, all, and back to one.
    key(page, 0).focus()
    assert selected(page) == [0]
    page.keyboard.press("Control+ArrowRight")
    assert selected(page) == [4]
    page.keyboard.press("Control+Shift+ArrowRight")
    assert selected(page) == [4, 8]
    page.keyboard.press("Control+a")
    assert len(selected(page)) == 64
    page.keyboard.press("Escape")
    assert selected(page) == [8]
    page.keyboard.press("Control+Shift+ArrowLeft")
    page.keyboard.press("Space")  # Space takes one out of the selection again
    page.keyboard.press("Space")  # and puts it back
    assert selected(page) == [4, 8]

    # Swap the two images: the frames stay, the images change places.
    before = {k["frame"]: k["asset"] for k in json.loads(page.input_value("#id_keyframes"))}
    page.get_by_role("button", name="Swap images").first.click()
    after = {k["frame"]: k["asset"] for k in json.loads(page.input_value("#id_keyframes"))}
    assert (after[4], after[8]) == (before[8], before[4])
    assert {f: a for f, a in after.items() if f not in (4, 8)} == {
        f: a for f, a in before.items() if f not in (4, 8)
    }
    page.keyboard.press("Control+z")
    assert {k["frame"]: k["asset"] for k in json.loads(page.input_value("#id_keyframes"))} == before

    # Snap to whole seconds: dropped one frame short of 2 s, it lands on 2 s.
    seconds = page.get_by_role("button", name="seconds").first
    seconds.click()
    assert seconds.get_attribute("aria-pressed") == "true"
    drag(page, 46, 47)
    assert 48 in keys(page) and 46 not in keys(page)
    seconds.click()

    # Snap to keyframes: right beside the one it approaches.
    page.get_by_role("button", name="keyframes").first.click()
    drag(page, 53, 59)
    assert 60 in keys(page) and 53 not in keys(page)
    page.get_by_role("button", name="keyframes").first.click()

    # Snap to the playhead (set by a click on the ruler).
    page.mouse.click(x_of(page, 100), track["y"] + 10)
    assert page.input_value("#id_keyframes-frame") == "100"
    page.get_by_role("button", name="playhead").first.click()
    drag(page, 103, 101.4)
    assert 100 in keys(page) and 103 not in keys(page)


def test_copy_the_timing_of_an_earlier_generation(
    page: Any, tmp_path: Path, personas: Personas
) -> None:
    timing = [i * 3 for i in range(64)]
    Generation.objects.create(
        team=personas.team,
        author=personas.owner,
        prompt="the drum solo",
        duration="10s",
        request={"type": "video", "video": {"duration": "10s", "keyframe_indexes": timing}},
    )
    Generation.objects.create(
        team=personas.other_team,
        author=personas.outsider,
        prompt="someone else's",
        duration="10s",
        request={"type": "video", "video": {"duration": "10s", "keyframe_indexes": [5, 9]}},
    )
    page.reload()
    options = page.locator("#id_keyframes-timing option").all_inner_texts()
    assert len(options) == 2 and "the drum solo · 64 keyframes, 10s" in options[1]

    sixty_four(page, tmp_path)
    order = [k["asset"] for k in json.loads(page.input_value("#id_keyframes"))]
    page.select_option("#id_keyframes-timing", index=1)
    page.get_by_role("button", name="Copy timing").first.click()
    assert keys(page) == timing
    # The images keep their order; only their frames changed.
    assert [k["asset"] for k in json.loads(page.input_value("#id_keyframes"))] == order
    assert "Timing copied onto 64 keyframes." in message(page)
    page.get_by_role("button", name="Undo").first.click()
    assert keys(page) == FULL


def test_undoing_a_rescale_says_what_lies_past_the_shorter_grid(page: Any, tmp_path: Path) -> None:
    radio(page, "duration", "10s").check(force=True)
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 4))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 4")
    radio(page, "duration", "5s").click(force=True)
    page.click('[data-shorten="rescale"]')
    assert keys(page) == [0, 40, 80, 120]
    page.get_by_role("button", name="Undo").first.click()
    assert keys(page) == [0, 80, 160, 240]
    assert "2 keyframes lie past frame 120" in message(page)
    radio(page, "duration", "10s").check(force=True)
    assert not page.locator("#id_keyframes-track .tl-key.outside").count()
