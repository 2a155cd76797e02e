"""Choosing how long a share link lasts, where it is made; the server keeps its bounds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.review.models import ShareLink
from studio.review.share import DAY_CHOICES
from tests.conftest import sign_in
from tests.factories import add_media, make_generation

SELECT = re.compile(r'<select name="days" id="share-days"([^>]*)>(.*?)</select>', re.S)


def offered(html: str) -> tuple[str, list[str], list[str]]:
    """The select's attributes, its option values and the selected ones."""
    found = SELECT.search(html)
    assert found, "no validity choice on the page"
    options = re.findall(r'<option value="(\d+)"( selected)?>', found.group(2))
    return found.group(1), [v for v, _ in options], [v for v, s in options if s]


def test_the_gallery_and_the_generation_page_offer_the_validity(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.editor)
    attrs, values, selected = offered(client.get(reverse("review:gallery")).content.decode())
    # In the gallery it belongs to the hidden share form that the Share… button posts.
    assert 'form="share-form"' in attrs
    assert values == ["1", "7", "30", "90"] and selected == ["7"]
    page = client.get(reverse("review:generation", args=[take.id])).content.decode()
    attrs, values, selected = offered(page)
    assert "form=" not in attrs
    assert values == ["1", "7", "30", "90"] and selected == ["7"]
    # The generation page's form carries it with the one generation.
    form = re.search(
        r'<form method="post" action="/shares/" class="share-one">(.*?)</form>', page, re.S
    )
    assert form and 'name="days"' in form.group(1) and str(take.id) in form.group(1)


def test_roles_that_cannot_share_see_no_choice(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.reviewer)
    for url in (reverse("review:gallery"), reverse("review:generation", args=[take.id])):
        assert 'name="days"' not in client.get(url).content.decode()


@pytest.mark.parametrize("days", DAY_CHOICES)
def test_each_choice_sets_the_expiry(client, personas, days: int) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.editor)
    before = timezone.now()
    response = client.post(reverse("review:shares"), {"g": [str(take.id)], "days": str(days)})
    after = timezone.now()
    assert response.status_code == 302
    share = ShareLink.objects.get()
    assert before + dt.timedelta(days=days) <= share.expires_at <= after + dt.timedelta(days=days)


@pytest.mark.parametrize("days", ["0", "-7", "91", "3650", "7.5", "a week"])
def test_the_server_keeps_its_bounds(client, personas, days: str) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.editor)
    response = client.post(
        reverse("review:shares"), {"g": [str(take.id)], "days": days}, follow=True
    )
    assert response.status_code == 200
    assert "A link lasts between 1 and 90 days." in response.content.decode()
    assert not ShareLink.objects.exists()


def test_without_a_choice_a_link_lasts_the_default_week(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.editor)
    client.post(reverse("review:shares"), {"g": [str(take.id)]})
    share = ShareLink.objects.get()
    assert (
        dt.timedelta(days=6, hours=23) < share.expires_at - timezone.now() <= dt.timedelta(days=7)
    )


@pytest.mark.browser
def test_sharing_a_selection_from_the_gallery_for_30_days(page, live_server, personas) -> None:
    takes = [make_generation(personas.team, personas.editor, prompt=f"Take {i}") for i in range(3)]
    add_media(takes[0], frames=2)
    sign_in(page, live_server.url, personas.editor)
    page.goto(live_server.url + reverse("review:gallery"))
    for take in takes[:2]:
        page.check(f'input[name=g][form=selection][value="{take.id}"]')
    page.select_option("#share-days", "30")
    page.click("[data-role=share]")
    page.wait_for_url(f"{live_server.url}/shares/**")
    share = ShareLink.objects.get()
    assert {g.id for g in share.generations.all()} == {takes[0].id, takes[1].id}
    left = share.expires_at - timezone.now()
    assert dt.timedelta(days=29, hours=23) < left <= dt.timedelta(days=30)
