"""The player's frame stepping, comment marks and the compare view, in headless Chromium."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from studio.review import services
from tests.conftest import sign_in
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.browser


def wait_ready(page, selector: str = "[data-player] video") -> None:
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{selector}')].every(v => v.readyState >= 2)"
    )


def timecode(page) -> str:
    return page.locator("[data-player] [data-role=timecode]").inner_text()


def current_time(page, selector: str = "[data-player] video") -> list[float]:
    return page.eval_on_selector_all(selector, "vs => vs.map(v => v.currentTime)")


def test_frame_stepping_with_keys(page, live_server, personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Stepping")
    add_media(take, frames=48)
    sign_in(page, live_server.url, personas.editor)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    wait_ready(page)
    assert timecode(page) == "Frame 0 / 47 · 0.000 s"
    for _ in range(3):
        page.keyboard.press(".")
    page.wait_for_function("() => document.querySelector('[data-player] video').seeking === false")
    assert timecode(page) == "Frame 3 / 47 · 0.125 s"
    assert current_time(page)[0] == pytest.approx(3.5 / 24, abs=1e-3)
    page.keyboard.press(",")
    assert timecode(page) == "Frame 2 / 47 · 0.083 s"
    # The comment form and the "use this frame" links follow the player.
    assert page.input_value("[data-role=comment-frame]") == "2"
    href = page.get_attribute("a[data-frame-link]", "href")
    assert re.search(rf"frame_from={take.id}&frame=2&as=start", href)
    # Stepping stops at the ends.
    page.keyboard.press(",")
    page.keyboard.press(",")
    page.keyboard.press(",")
    assert timecode(page).startswith("Frame 0 /")
    page.click("[data-player] [data-role=next]")
    assert timecode(page).startswith("Frame 1 /")


def test_comment_marks_seek_and_new_comments_pin_the_frame(page, live_server, personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Marks")
    add_media(take, frames=48)
    services.add_comment(take, "Early flare", frame=10, author=personas.reviewer)
    services.add_comment(take, "Late wobble", frame=30, author=personas.reviewer)
    sign_in(page, live_server.url, personas.reviewer)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    wait_ready(page)
    marks = page.locator("[data-role=timeline] .mark")
    assert marks.count() == 2
    assert [marks.nth(i).get_attribute("data-frame") for i in range(2)] == ["10", "30"]
    # Marks sit at their frame's place on the timeline.
    left = [float(marks.nth(i).evaluate("m => parseFloat(m.style.left)")) for i in range(2)]
    assert left == pytest.approx([10 / 47 * 100, 30 / 47 * 100], abs=0.01)
    marks.nth(1).click()
    assert timecode(page).startswith("Frame 30 /")
    assert current_time(page)[0] == pytest.approx(30.5 / 24, abs=1e-3)
    page.click("button[data-seek='10']")
    assert timecode(page).startswith("Frame 10 /")
    # Step to frame 12 and comment there.
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.fill("#comment-body", "Pinned by the player")
    page.click("[data-role=comment-form] button[type=submit]")
    page.wait_for_load_state()
    wait_ready(page)
    assert page.locator("[data-role=timeline] .mark").count() == 3
    assert page.locator("[data-role=timeline] .mark[data-frame='12']").count() == 1
    assert take.comments.get(body="Pinned by the player").frame == 12


def test_compare_plays_and_steps_together(page, live_server, personas) -> None:
    a = make_generation(personas.team, personas.editor, prompt="Take A", resolution="720p")
    b = make_generation(personas.team, personas.editor, prompt="Take B", resolution="1080p")
    add_media(a, frames=48)
    add_media(b, frames=48)
    sign_in(page, live_server.url, personas.viewer)
    page.goto(live_server.url + f"{reverse('review:compare')}?g={a.id}&g={b.id}")
    videos = "video[data-role=take]"
    wait_ready(page, videos)
    for _ in range(5):
        page.keyboard.press(".")
    assert page.locator("[data-compare] [data-role=timecode]").inner_text() == "Frame 5 · 0.208 s"
    assert current_time(page, videos) == pytest.approx([5.5 / 24, 5.5 / 24], abs=1e-3)
    page.fill("#compare-seek", "20")
    page.dispatch_event("#compare-seek", "input")
    assert current_time(page, videos) == pytest.approx([20.5 / 24, 20.5 / 24], abs=1e-3)
    page.click("[data-compare] [data-role=play]")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{videos}')].every(v => !v.paused)"
    )
    page.click("[data-compare] [data-role=play]")
    page.wait_for_function(f"() => [...document.querySelectorAll('{videos}')].every(v => v.paused)")
    times = current_time(page, videos)
    assert abs(times[0] - times[1]) <= 1 / 24 + 1e-3
    # The parameters' diff puts what differs first.
    first_row = page.locator("table.params tbody tr").first
    assert "differs" in first_row.get_attribute("class")
    assert "Take A" in page.locator("table.params").inner_text()


def test_a_guest_comments_through_a_share_link(page, live_server, personas) -> None:
    from studio.review.share import create_share, token_for

    take = make_generation(personas.team, personas.editor, prompt="For the client")
    add_media(take, frames=48)
    share = create_share(personas.team, [take.id], by=personas.owner, days=2)
    # Not signed in: the link alone opens the page, with real CSRF checks on the form.
    page.goto(live_server.url + reverse("review:shared", args=[token_for(share)]))
    wait_ready(page)
    for _ in range(6):
        page.keyboard.press(".")
    assert timecode(page).startswith("Frame 6 /")
    page.fill("#guest-name", "Casey Client")
    page.fill("#comment-body", "Can the boat enter earlier?")
    page.click("[data-role=comment-form] button[type=submit]")
    page.wait_for_load_state()
    wait_ready(page)
    assert page.locator("[data-role=timeline] .mark[data-frame='6']").count() == 1
    assert "Casey Client (guest)" in page.locator("#comments").inner_text()
    # The name is remembered for the next comment.
    assert page.input_value("#guest-name") == "Casey Client"
    comment = take.comments.get()
    assert (comment.frame, comment.guest_name, comment.author) == (6, "Casey Client", None)


def test_the_player_appears_when_the_video_is_ready(page, live_server, personas) -> None:
    from studio.generations.models import Generation

    take = make_generation(
        personas.team, personas.editor, prompt="Still rendering", state="processing"
    )
    sign_in(page, live_server.url, personas.viewer)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    assert page.locator("[data-player] [data-role=waiting]").is_visible()
    # The poller finishes it; the page's progress script swaps the video in.
    add_media(take, frames=48)
    Generation.objects.filter(pk=take.pk).update(state="completed")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-player] video');"
        " return v && !v.hidden && v.readyState >= 1; }",
        timeout=15000,
    )
    assert page.locator("[data-player] [data-role=waiting]").count() == 0
    assert timecode(page) == "Frame 0 / 47 · 0.000 s"
    page.keyboard.press(".")
    assert timecode(page).startswith("Frame 1 /")
