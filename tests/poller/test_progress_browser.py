"""progress.js in Chromium: the bar follows the record live, and media appear when ready."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from studio.generations.models import Generation, Output
from tests.conftest import Personas, sign_in

pytestmark = pytest.mark.browser


def mount(page: Any, live_server: Any, generations: list[Generation]) -> None:
    """Put the partial (one per generation) and the script on a page of the live server."""
    parts = "".join(
        render_to_string("generations/_progress.html", {"generation": g})
        + f'<img data-media-for="{g.id}" hidden alt="poster">'
        for g in generations
    )
    # A plain page of the same origin (the 404 page), with no progress script of its own.
    page.goto(f"{live_server.url}/static/under-test.html")
    page.evaluate(
        """([html, src]) => {
            const box = document.createElement("section");
            box.id = "under-test";
            box.innerHTML = html;
            document.body.append(box);
            const script = document.createElement("script");
            script.type = "module";
            script.src = src;
            document.body.append(script);
        }""",
        # A query of its own: a module URL the page already loaded would not run again.
        [parts, f"{live_server.url}/static/generations/progress.js?under-test"],
    )


def test_the_bar_updates_without_a_reload(
    page: Any, live_server: Any, personas: Personas, make_generation: Any
) -> None:
    generation = make_generation(
        state="processing", submitted_at=timezone.now() - dt.timedelta(seconds=30)
    )
    sign_in(page, live_server.url, personas.viewer)
    mount(page, live_server, [generation])
    box = page.locator(f"#under-test [data-generation-id='{generation.id}']")
    page.wait_for_function(
        "el => /Elapsed \\d+s/.test(el.textContent) && /left/.test(el.textContent)",
        arg=box.element_handle(),
    )
    assert box.locator("[data-role=state]").inner_text() == "Processing"
    assert 0 < box.locator("[data-role=bar]").evaluate("bar => bar.value") < 100

    # The poller finishes it behind the page's back.
    folder = f"outputs/{generation.id.hex}"
    Output.objects.create(generation=generation, kind="poster", file=f"{folder}/poster.jpg")
    Generation.objects.filter(id=generation.id).update(
        state="completed", outputs_ready=True, finished_at=timezone.now()
    )
    page.wait_for_function(
        "el => el.querySelector('[data-role=state]').textContent === 'Completed'",
        arg=box.element_handle(),
        timeout=15000,
    )
    assert box.locator("[data-role=bar]").evaluate("bar => bar.value") == 100
    poster = page.locator(f"#under-test img[data-media-for='{generation.id}']")
    assert poster.get_attribute("src").endswith(f"/files/{folder}/poster.jpg")
    assert poster.get_attribute("hidden") is None


def test_cards_are_polled_together_and_show_overdue_and_failure(
    page: Any, live_server: Any, personas: Personas, make_generation: Any
) -> None:
    overdue = make_generation(
        state="processing", submitted_at=timezone.now() - dt.timedelta(hours=1)
    )
    failed = make_generation(state="queued")
    sign_in(page, live_server.url, personas.viewer)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "status.json" in r.url else None)
    mount(page, live_server, [overdue, failed])
    late = page.locator(f"#under-test [data-generation-id='{overdue.id}']")
    page.wait_for_function("el => /Overdue by/.test(el.textContent)", arg=late.element_handle())
    assert "overdue" in late.locator("[data-role=bar]").get_attribute("class")

    Generation.objects.filter(id=failed.id).update(
        state="failed",
        failure_code="content_moderated",
        failure_reason="Generation output was flagged by our content moderation system.",
    )
    card = page.locator(f"#under-test [data-generation-id='{failed.id}']")
    page.wait_for_function(
        "el => /Edit the prompt/.test(el.textContent)", arg=card.element_handle(), timeout=15000
    )
    assert card.locator("[data-role=state]").inner_text() == "Failed"
    # One batch request per tick for all cards, never one per card.
    assert requests and all("/g/status.json?ids=" in url for url in requests)
