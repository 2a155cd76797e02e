"""The generation page in Chromium follows its generation without anyone reloading it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.generations.models import Generation
from tests.conftest import Personas, sign_in
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.browser

HEADER_BADGE = ".gen-title [data-state-for]"


def watch(page: Any) -> dict[str, list[str]]:
    """The page's loads, status polls and script errors from now on."""
    seen: dict[str, list[str]] = {"loads": [], "polls": [], "errors": []}
    page.on("load", lambda p: seen["loads"].append(p.url))
    page.on("request", lambda r: seen["polls"].append(r.url) if "status.json" in r.url else None)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    return seen


def wait_for_badge(page: Any, label: str) -> None:
    page.wait_for_function(
        "label => document.querySelector('.gen-title [data-state-for]').textContent === label",
        arg=label,
        timeout=15000,
    )


def test_the_header_and_actions_follow_the_generation(
    page: Any, live_server: Any, personas: Personas
) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Live header", state="queued")
    sign_in(page, live_server.url, personas.editor)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    seen = watch(page)
    extend = page.get_by_role("link", name="Extend forward")
    assert page.locator(HEADER_BADGE).inner_text() == "Queued"
    assert extend.count() == 0

    # Still in flight: the badge changes in place, the page stays.
    Generation.objects.filter(pk=take.pk).update(state="processing")
    wait_for_badge(page, "Processing")
    assert "state-processing" in page.locator(HEADER_BADGE).get_attribute("class")
    assert seen["loads"] == []

    # Done behind the page's back: the page reloads itself once and shows the outcome.
    add_media(take, frames=24)
    Generation.objects.filter(pk=take.pk).update(state="completed", finished_at=timezone.now())
    extend.wait_for(timeout=15000)
    assert page.locator(HEADER_BADGE).inner_text() == "Completed"
    assert page.locator("[data-player] video[src]").count() == 1
    # Loaded settled, the page neither polls nor reloads again.
    polls = len(seen["polls"])
    page.wait_for_timeout(4500)
    assert len(seen["loads"]) == 1
    assert len(seen["polls"]) == polls
    assert seen["errors"] == []


def test_waiting_keeps_polling_shows_why_and_a_failure_reloads(
    page: Any, live_server: Any, personas: Personas
) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Waits", state="queued")
    sign_in(page, live_server.url, personas.editor)
    # The status JSON as it will soon look: a state the server does not count as in flight,
    # with the reason it waits.
    waiting = {"on": True}

    def status(route: Any) -> None:
        response = route.fetch()
        if not (waiting["on"] and response.ok):
            route.fulfill(response=response)
            return
        data = response.json()
        data.update(
            state="waiting",
            state_label="Waiting",
            in_flight=False,
            waiting_reason="Waiting for the team's turn: 2 ahead",
        )
        route.fulfill(response=response, body=json.dumps(data))

    page.route("**/status.json", status)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    seen = watch(page)
    wait_for_badge(page, "Waiting")
    reason = page.locator("[data-role=reason]")
    assert reason.inner_text() == "Waiting for the team's turn: 2 ahead"
    assert reason.get_attribute("aria-live") == "polite"
    polls = len(seen["polls"])
    page.wait_for_timeout(2500)
    assert len(seen["polls"]) > polls  # still polling: waiting is an active state
    assert seen["loads"] == []

    waiting["on"] = False
    Generation.objects.filter(pk=take.pk).update(
        state="failed",
        failure_code="generation_failed",
        failure_reason="The render crashed.",
        finished_at=timezone.now(),
    )
    page.get_by_role("heading", name="It failed").wait_for(timeout=15000)
    # The heading can be drawn before the reloaded document's load event has fired.
    page.wait_for_load_state("load")
    assert page.locator(HEADER_BADGE).inner_text() == "Failed"
    assert page.get_by_role("button", name="Try again with the same settings").is_visible()
    assert len(seen["loads"]) == 1
    assert seen["errors"] == []
