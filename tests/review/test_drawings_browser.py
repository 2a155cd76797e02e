"""Drawings on the frame and range comments, in headless Chromium: drawn with the mouse and
the keyboard, stored as frame-relative vectors, shown at their frame or inside their
range, and ranges played from their first to their last frame."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from studio.review import services
from studio.review.models import Comment
from tests.conftest import sign_in
from tests.factories import add_media, make_generation
from tests.review.test_browser import current_time, timecode, wait_ready
from tests.security.test_pages_browser import LISTEN

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _policy_kept(page) -> Iterator[None]:
    """Drawing builds SVG and the tool bar through the DOM: the page's policy refuses none
    of it, and no script fails."""
    problems: list[str] = []
    page.expose_function("reportViolation", lambda text: problems.append(f"refused {text}"))
    page.add_init_script(LISTEN)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield
    assert problems == []


OVERLAY = "[data-player] [data-role=overlay]"


def shown(page) -> int:
    """How many shapes the overlay shows now."""
    return page.locator(f"{OVERLAY} [data-tool]").count()


def step(page, times: int) -> None:
    for _ in range(times):
        page.keyboard.press(".")


def video_box(page) -> dict:
    """Where the video is on screen now (filling in the bar may scroll the page)."""
    return page.locator("[data-player] video").bounding_box()


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag across the video from one frame-relative point to another, in a few moves."""
    box = video_box(page)
    x0, y0 = box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"]
    x1, y1 = box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 6):
        page.mouse.move(x0 + (x1 - x0) * i / 5, y0 + (y1 - y0) * i / 5)
    page.mouse.up()


def test_draw_on_a_frame_and_see_it_only_there(page, live_server, personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Drawing")
    add_media(take, frames=48)
    sign_in(page, live_server.url, personas.reviewer)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    wait_ready(page)
    step(page, 10)
    assert timecode(page).startswith("Frame 10 /")
    # `d` starts drawing; the tool and colour pickers are radio groups, on the keyboard.
    page.keyboard.press("d")
    assert page.locator("[data-role=draw-bar]").is_visible()
    assert page.get_attribute("[data-role=draw]", "aria-pressed") == "true"
    assert page.evaluate("document.activeElement.value") == "freehand"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.value") == "rect"
    page.keyboard.press("Tab")  # to the colour group
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.value") == "yellow"
    drag(page, (0.2, 0.25), (0.6, 0.75))
    # An ellipse, then undo it.
    page.check("[data-role=draw-tool][value=ellipse]")
    drag(page, (0.1, 0.1), (0.3, 0.3))
    assert shown(page) == 2
    page.click("[data-role=draw-undo]")
    assert shown(page) == 1
    # Text: typed in the bar, placed with a click.
    page.check("[data-role=draw-tool][value=text]")
    page.fill("[data-role=draw-text]", "Too dark")
    box = video_box(page)
    page.mouse.click(box["x"] + 0.5 * box["width"], box["y"] + 0.9 * box["height"])
    assert shown(page) == 2
    page.keyboard.press("Escape")
    assert page.locator("[data-role=draw-bar]").is_hidden()
    assert "2 shapes on frame 10" in page.inner_text("[data-role=drawing-status]")
    page.fill("#comment-body", "Lift the shadows here")
    page.click("[data-role=comment-form] button[type=submit]")
    page.wait_for_load_state()
    wait_ready(page)

    comment = Comment.objects.get(body="Lift the shadows here")
    assert comment.frame == 10 and comment.end_frame is None
    rect, text = comment.drawing["shapes"]
    assert (rect["tool"], rect["colour"]) == ("rect", "yellow")
    # Relative to the frame: the same wherever the player was on screen.
    assert rect["points"] == [
        pytest.approx([0.2, 0.25], abs=0.01),
        pytest.approx([0.6, 0.75], abs=0.01),
    ]
    assert text == {
        "tool": "text",
        "colour": "yellow",
        "points": text["points"],
        "text": "Too dark",
    }
    assert text["points"][0] == pytest.approx([0.5, 0.9], abs=0.01)

    # Shown over the video at frame 10 only, and as a thumbnail in the list.
    assert shown(page) == 0
    page.click("button[data-seek='10']")
    assert timecode(page).startswith("Frame 10 /")
    assert page.locator(f"{OVERLAY} g[data-comment='{comment.pk}'] [data-tool]").count() == 2
    rendered = page.locator(f"{OVERLAY} rect[data-tool=rect]")
    assert rendered.get_attribute("stroke") == "#ffd60a"
    # Drawn in the video's own pixels (320 × 180 here), letterboxed as the video is.
    assert float(rendered.get_attribute("x")) == pytest.approx(0.2 * 320, abs=4)
    assert float(rendered.get_attribute("height")) == pytest.approx(0.5 * 180, abs=4)
    page.keyboard.press(".")
    assert shown(page) == 0
    thumb = page.locator(f"[data-drawing-thumb='{comment.pk}'] [data-tool]")
    assert thumb.count() == 2


def test_a_range_is_shown_made_with_i_and_o_and_played(page, live_server, personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Ranges")
    add_media(take, frames=48)
    drawn = services.add_comment(
        take,
        "The boat drifts",
        frame=5,
        end_frame=20,
        drawing={
            "shapes": [{"tool": "arrow", "colour": "red", "points": [[0.1, 0.1], [0.5, 0.5]]}]
        },
        author=personas.editor,
    )
    sign_in(page, live_server.url, personas.reviewer)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    wait_ready(page)
    span = page.locator("[data-role=timeline] .range[data-frame='5'][data-end='20']")
    assert span.count() == 1
    left, width = span.evaluate("s => [parseFloat(s.style.left), parseFloat(s.style.width)]")
    assert left == pytest.approx(5 / 47 * 100, abs=0.01)
    assert width == pytest.approx(15 / 47 * 100, abs=0.01)
    # The range's drawing is shown from its first frame to its last, not outside.
    visible = {}
    for frame in (4, 5, 12, 20, 21):
        step(page, frame - int(page.get_attribute("[data-player]", "data-frame")))
        visible[frame] = page.locator(f"{OVERLAY} g[data-comment='{drawn.pk}'] [data-tool]").count()
    assert visible == {4: 0, 5: 1, 12: 1, 20: 1, 21: 0}

    # Clicking the range plays it and stops on its last frame.
    span.click()
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-player] video');"
        " return v.paused && !v.seeking && document.querySelector('[data-player]').dataset.frame === '20'; }",
        timeout=15000,
    )
    assert timecode(page).startswith("Frame 20 /")
    assert current_time(page)[0] == pytest.approx(20.5 / 24, abs=1e-3)

    # A new range: `i` at frame 30, `o` at frame 40.
    step(page, 10)
    page.keyboard.press("i")
    step(page, 10)
    page.keyboard.press("o")
    assert page.input_value("[data-role=comment-frame]") == "30"
    assert page.input_value("[data-role=comment-end-frame]") == "40"
    assert (
        page.locator("[data-role=timeline] .range.pending[data-frame='30'][data-end='40']").count()
        == 1
    )
    # Moving on does not move the range.
    step(page, 2)
    assert page.input_value("[data-role=comment-frame]") == "30"
    page.fill("#comment-body", "Hold this longer")
    page.click("[data-role=comment-form] button[type=submit]")
    page.wait_for_load_state()
    wait_ready(page)
    made = Comment.objects.get(body="Hold this longer")
    assert (made.frame, made.end_frame) == (30, 40)
    assert page.locator("[data-role=timeline] .range[data-frame='30'][data-end='40']").count() == 1
    # Its link in the list plays it too.
    page.click(f"#comment-{made.pk} button[data-seek-end='40']")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-player] video');"
        " return v.paused && !v.seeking && document.querySelector('[data-player]').dataset.frame === '40'; }",
        timeout=15000,
    )


def test_a_guest_draws_through_a_share_link(page, live_server, personas) -> None:
    from studio.review.share import create_share, token_for

    take = make_generation(personas.team, personas.editor, prompt="For the client")
    add_media(take, frames=48)
    share = create_share(personas.team, [take.id], by=personas.owner, days=2)
    page.goto(live_server.url + reverse("review:shared", args=[token_for(share)]))
    wait_ready(page)
    step(page, 6)
    page.click("[data-role=draw]")
    page.check("[data-role=draw-tool][value=arrow]")
    page.check("[data-role=draw-colour][value=green]")
    drag(page, (0.8, 0.2), (0.4, 0.5))
    page.click("[data-role=draw-done]")
    page.fill("#guest-name", "Casey Client")
    page.fill("#comment-body", "This way, please")
    page.click("[data-role=comment-form] button[type=submit]")
    page.wait_for_load_state()
    wait_ready(page)
    comment = take.comments.get()
    assert (comment.frame, comment.guest_name) == (6, "Casey Client")
    (arrow,) = comment.drawing["shapes"]
    assert (arrow["tool"], arrow["colour"]) == ("arrow", "green")
    assert arrow["points"][0] == pytest.approx([0.8, 0.2], abs=0.01)
    assert arrow["points"][1] == pytest.approx([0.4, 0.5], abs=0.01)
    step(page, 6)
    assert page.locator(f"{OVERLAY} g[data-comment='{comment.pk}'] [data-tool=arrow]").count() == 1
