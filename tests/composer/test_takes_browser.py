"""Takes in a real browser: the batch price on the composer, a prompt list sent as one
batch, and that batch in the gallery (its own view, and one card that opens in place).

Set STUDIO_SHOTS to a folder to keep screenshots of the takes section and the batch card.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from studio.composer.pricing import price_table
from studio.generations.models import Batch, Generation
from tests.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def price(resolution: str = "720p", duration: str = "5s") -> Decimal:
    """One take's price, from the same table the page reads."""
    return Decimal(price_table()[f"video|{resolution}|{duration}|0|0"][0])


def shot(locator: Any, name: str) -> None:
    folder = os.environ.get("STUDIO_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_takes_multiply_the_price_and_name_the_count(page: Any) -> None:
    page.fill("#id_prompt", "paper boats on a canal")
    one = price()
    assert page.locator("#price").inner_text() == f"${one}"
    assert page.locator("#submit").inner_text() == "Generate"
    page.fill("#id_takes", "3")
    assert page.locator("#price").inner_text() == f"${one * 3}"
    assert page.locator("#price-each").inner_text() == f"3 takes × ${one}"
    assert page.locator("#submit").inner_text() == f"Generate 3 takes · ${one * 3}"
    shot(page.locator("#takes-section"), "composer-takes")

    # Out of range: said beside the button, and the button waits.
    page.fill("#id_takes", "17")
    assert "1 to 16" in page.locator("#problems").inner_text()
    assert page.locator("#submit").is_disabled()
    page.fill("#id_takes", "2")
    assert page.locator("#submit").is_enabled()


def test_a_sweep_prices_each_take_and_shows_only_its_values(page: Any) -> None:
    page.fill("#id_prompt", "a lighthouse in fog")
    assert page.locator("#id_prompt_list").is_hidden()
    assert page.locator("#id_sweep_param").is_hidden()
    page.check('input[name="vary"][value="sweep"]')
    assert page.locator("#id_takes").is_hidden()
    page.select_option("#id_sweep_param", "resolution")
    boxes = page.locator('input[name="sweep_values"]')
    visible = [b.get_attribute("value") for b in boxes.all() if b.is_visible()]
    assert visible == ["360p", "540p", "720p", "1080p"]
    # Nothing ticked yet: nothing to send.
    assert page.locator("#submit").is_disabled()
    page.check('input[name="sweep_values"][value="360p"]')
    page.check('input[name="sweep_values"][value="1080p"]')
    total = price("360p") + price("1080p")
    assert page.locator("#price").inner_text() == f"${total}"
    assert page.locator("#submit").inner_text() == f"Generate 2 takes · ${total}"
    assert page.locator("#price-each").inner_text() == (
        f"2 takes, ${price('360p')} to ${price('1080p')} each"
    )
    shot(page.locator("#takes-section"), "composer-sweep")
    # Another parameter shows its own values; the ticked resolutions are no longer sent.
    page.select_option("#id_sweep_param", "duration")
    visible = [b.get_attribute("value") for b in boxes.all() if b.is_visible()]
    assert visible == ["5s", "10s"]
    assert page.locator('input[name="sweep_values"][value="1080p"]').is_disabled()
    page.check('input[name="sweep_values"][value="10s"]')
    assert page.locator("#price").inner_text() == f"${price('720p', '10s')}"
    assert page.locator("#submit").inner_text() == "Generate"


def test_the_takes_section_works_from_the_keyboard(page: Any) -> None:
    page.fill("#id_prompt", "wind over wheat")
    page.focus("#id_takes")
    page.keyboard.press("ArrowUp")  # 1 → 2
    assert page.locator("#submit").inner_text() == f"Generate 2 takes · ${price() * 2}"
    page.focus('input[name="vary"][value=""]')
    page.keyboard.press("ArrowDown")  # the next radio: prompts
    assert page.locator('input[name="vary"][value="prompts"]').is_checked()
    assert page.locator("#id_prompt_list").is_visible()
    # Every input of the section has a label.
    for input_id in ("id_takes", "id_prompt_list", "id_sweep_param"):
        assert page.locator(f'label[for="{input_id}"]').count() == 1


def test_a_prompt_list_lands_on_its_batch_in_the_gallery(
    page: Any, live_server: Any, personas: Personas
) -> None:
    page.check('input[name="vary"][value="prompts"]')
    page.fill(
        "#id_prompt_list",
        "a red kite over the dunes\n\na blue kite at dusk\na green kite in rain\n",
    )
    assert page.locator("#price").inner_text() == f"${price() * 3}"
    assert page.locator("#submit").inner_text() == f"Generate 3 takes · ${price() * 3}"
    page.click("#submit")
    page.wait_for_url("**/?batch=**")

    batch = Batch.objects.get()
    assert page.url.endswith(f"/?batch={batch.id}")
    assert (batch.kind, batch.size, batch.price) == ("prompts", 3, price() * 3)
    takes = list(Generation.objects.filter(batch=batch).order_by("take_index"))
    assert [t.prompt for t in takes] == [
        "a red kite over the dunes",
        "a blue kite at dusk",
        "a green kite in rain",
    ]
    cards = page.locator("li.clip-card")
    assert cards.count() == 3
    assert [c.get_attribute("data-id") for c in cards.all()] == [str(t.id) for t in takes]
    prompts = page.locator(".clip-card .clip-prompt").all_inner_texts()
    assert prompts == [t.prompt for t in takes]
    assert page.locator("h1").inner_text() == "3 prompts"
    assert "3 waiting" in page.locator(".batch-heading").inner_text()

    # Compare two of them, ticked from the batch view.
    compare = page.locator("#selection [data-role=compare]")
    assert compare.is_disabled()
    page.check(f'input[name="g"][value="{takes[0].id}"]')
    page.check(f'input[name="g"][value="{takes[2].id}"]')
    assert compare.is_enabled()
    compare.click()
    page.wait_for_url("**/compare/**")
    assert re.findall(r"g=([0-9a-f-]+)", page.url) == [str(takes[0].id), str(takes[2].id)]

    # The gallery: one card for the batch, opened in place from the keyboard.
    page.goto(f"{live_server.url}/")
    card = page.locator(f'li.batch-card[data-batch="{batch.id}"]')
    assert page.locator("li.batch-card").count() == 1
    assert "3 prompts" in card.inner_text()
    assert "3 waiting" in card.inner_text()
    assert card.locator("a", has_text="Open batch").get_attribute("href") == f"/?batch={batch.id}"
    inner = card.locator("details li.clip-card")
    assert inner.count() == 3 and not inner.first.is_visible()
    shot(card, "gallery-batch-card")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    assert inner.first.is_visible()
    assert card.locator("details").get_attribute("open") is not None
    assert [c.get_attribute("data-id") for c in inner.all()] == [str(t.id) for t in takes]
    shot(card, "gallery-batch-card-open")


def test_without_javascript_a_sweep_still_goes_as_one_batch(
    chromium: Any, engine: str, live_server: Any, personas: Personas
) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(personas.editor)
    context = chromium.new_context(java_script_enabled=False)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        page.goto(f"{live_server.url}/compose/")
        # Every part of the section shows: the server decides what applies.
        for input_id in ("id_takes", "id_prompt_list", "id_sweep_param"):
            assert page.locator(f"#{input_id}").is_visible()
        page.fill("#id_prompt", "a harbour at dawn")
        page.check('input[name="vary"][value="sweep"]')
        page.select_option("#id_sweep_param", "duration")
        page.check('input[name="sweep_values"][value="5s"]')
        page.check('input[name="sweep_values"][value="10s"]')
        page.click("#submit")
        page.wait_for_url("**/?batch=**")
        batch = Batch.objects.get()
        assert (batch.kind, batch.varies, batch.size) == ("sweep", "duration", 2)
        assert batch.price == price("720p", "5s") + price("720p", "10s")
        assert page.locator("li.clip-card").count() == 2
    finally:
        context.close()
