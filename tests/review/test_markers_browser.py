"""The gallery's selection exports a timeline, and the generation page's marker menu, in
headless Chromium."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest
from django.urls import reverse

from studio.review import services
from tests.conftest import sign_in
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.browser


def test_ticked_takes_download_as_one_timeline(page, live_server, personas) -> None:
    takes = [make_generation(personas.team, personas.editor, prompt=f"Shot {i}") for i in (1, 2)]
    for take in takes:
        add_media(take, frames=12)
    services.add_comment(takes[0], "Too dark", frame=3, author=personas.reviewer)
    sign_in(page, live_server.url, personas.editor)
    page.goto(live_server.url + reverse("review:gallery"))
    timeline = page.get_by_role("button", name="Timeline (.otio)")
    assert timeline.is_disabled()
    for take in takes:
        page.check(f"input[name=g][value='{take.id}']")
    assert timeline.is_enabled()
    with page.expect_download() as info:
        timeline.click()
    body = Path(info.value.path()).read_text()
    clips = list(otio.adapters.read_from_string(body, "otio_json").find_clips())
    # The gallery lists the newest first; the timeline keeps the page's order.
    assert [c.metadata["studio"]["generation"] for c in clips] == [
        str(takes[1].id),
        str(takes[0].id),
    ]
    assert [m.name for m in clips[1].markers] == ["Rita Reviewer (open): Too dark"]


def test_the_marker_menu_opens_from_the_keyboard(page, live_server, personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Menu")
    add_media(take, frames=12)
    sign_in(page, live_server.url, personas.viewer)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    page.focus(".export-menu summary")
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="EDL (CMX 3600)")
    assert link.is_visible()
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"{take.id}-markers.edl"
