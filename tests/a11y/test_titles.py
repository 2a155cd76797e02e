"""A generation's page says what the clip is: its title and heading name the start of its
prompt, its type and its resolution."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from studio.generations.models import Generation
from tests.factories import make_generation
from tests.review.conftest import World

pytestmark = pytest.mark.django_db


def _title_and_heading(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert title and heading
    return title.group(1).strip(), heading.group(1).strip()


def test_the_generation_page_is_named_for_its_clip(client: Client, world: World) -> None:
    take = make_generation(
        world.p.team,
        world.p.editor,
        prompt="A lighthouse keeper climbs the spiral stairs at dusk while the storm rolls in "
        "from the west and rain streaks the windows",
        resolution="1080p",
        kind="video_reframe",
        action=Generation.Action.CREATE,
    )
    client.force_login(world.p.editor)
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    title, heading = _title_and_heading(html)
    assert (
        heading == "A lighthouse keeper climbs the spiral stairs at dusk while… · Reframe · 1080p"
    )
    assert title == f"{heading} · Studio"
