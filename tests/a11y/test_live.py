"""Changes that appear live are said through the page's live region: a generation's new
state (a screen reader hears "Generation: Completed" without looking for it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from studio.generations.models import Generation
from tests.conftest import Personas, sign_in
from tests.poller.test_progress_browser import mount

pytestmark = pytest.mark.browser


def test_a_new_state_is_announced(
    page: Any, live_server: Any, personas: Personas, make_generation: Any
) -> None:
    generation = make_generation(
        state="processing", submitted_at=timezone.now() - dt.timedelta(seconds=30)
    )
    sign_in(page, live_server.url, personas.viewer)
    mount(page, live_server, [generation])
    # The base template's region, on the bare page the partial is mounted on.
    page.evaluate(
        """() => document.body.insertAdjacentHTML("afterbegin",
            '<div id="announcer" role="status" aria-live="polite"></div>')"""
    )
    page.wait_for_function(
        "() => /Elapsed/.test(document.querySelector('#under-test').textContent)"
    )
    # The first answer only confirms what is shown: nothing is said.
    assert page.text_content("#announcer") == ""

    Generation.objects.filter(id=generation.id).update(state="failed", finished_at=timezone.now())
    page.wait_for_function(
        "() => document.getElementById('announcer').textContent === 'Generation: Failed'",
        timeout=15000,
    )
