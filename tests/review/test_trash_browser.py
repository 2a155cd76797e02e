"""Trashing a selection from the gallery, in headless Chromium (the confirm is answered)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from studio.generations.models import Generation
from tests.conftest import sign_in
from tests.factories import make_generation

pytestmark = pytest.mark.browser


def test_tick_and_move_to_trash_then_restore(page, live_server, personas) -> None:
    gone = make_generation(personas.team, personas.editor, prompt="Clip to throw away")
    kept = make_generation(personas.team, personas.editor, prompt="Clip to keep")
    sign_in(page, live_server.url, personas.editor)
    page.goto(live_server.url + reverse("review:gallery"))
    trash_button = page.locator("[data-role=trash]")
    assert trash_button.is_disabled()

    # Cancelling the confirm leaves everything in place.
    page.check(f"input[name=g][value='{gone.id}']")
    page.once("dialog", lambda dialog: dialog.dismiss())
    trash_button.click()
    assert Generation.objects.get(pk=gone.pk).trashed_at is None

    page.once("dialog", lambda dialog: dialog.accept())
    trash_button.click()
    page.wait_for_selector("text=Moved to the trash: 1 generation(s).")
    assert page.locator(f".clip-card[data-id='{gone.id}']").count() == 0
    assert page.locator(f".clip-card[data-id='{kept.id}']").count() == 1

    page.click("a.button:text-is('Trash')")
    page.wait_for_selector(f"#trashed-{gone.id}")
    page.click(f"#trashed-{gone.id} button:text-is('Restore')")
    page.wait_for_selector("text=Restored from the trash.")
    assert Generation.objects.get(pk=gone.pk).trashed_at is None
