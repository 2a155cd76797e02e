"""What the timeline is given: the contract's facts, and the team's earlier timings."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.composer.timing import TIMING_SOURCES_SHOWN, timing_sources
from studio.contract import FPS, max_index
from studio.contract.browser import browser_facts
from studio.contract.models import KEYFRAMES_MAX
from studio.generations.models import Generation
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def keyframed(team: object, author: object, frames: object, **extra: object) -> Generation:
    return Generation.objects.create(
        team=team,
        author=author,
        prompt=extra.pop("prompt", "a shot"),
        duration=extra.pop("duration", "5s"),
        request={"type": "video", "video": {"keyframe_indexes": frames}},
        **extra,
    )


def test_grid_is_the_contracts() -> None:
    facts = browser_facts()
    assert facts["fps"] == FPS
    assert facts["keyframes_max"] == KEYFRAMES_MAX
    assert facts["max_index"] == {"5s": max_index("5s"), "10s": max_index("10s")}


def test_timing_sources_are_the_teams_keyframe_generations_newest_first(
    personas: Personas,
) -> None:
    now = timezone.now()
    old = keyframed(personas.team, personas.owner, [0, 60, 120], created_at=now - timedelta(1))
    new = keyframed(personas.team, personas.editor, [120, 0, 7], duration="10s", prompt="new")
    keyframed(personas.other_team, personas.outsider, [1, 2])  # another team's
    Generation.objects.create(team=personas.team, author=personas.owner, prompt="text only")
    # Whatever an imported request held: only whole, non-negative frames are offered.
    keyframed(personas.team, personas.owner, [0, -3])
    keyframed(personas.team, personas.owner, [0, "12"])
    keyframed(personas.team, personas.owner, [True, 4])
    keyframed(personas.team, personas.owner, "0,60")
    rows = timing_sources(personas.team)
    assert [r["id"] for r in rows] == [str(new.id), str(old.id)]
    assert rows[0]["frames"] == [0, 7, 120]
    assert rows[0]["duration"] == "10s"
    assert rows[0]["label"].startswith("new · 3 keyframes, 10s · ")


def test_timing_sources_leave_out_the_trash_and_stop_at_a_page(personas: Personas) -> None:
    for i in range(TIMING_SOURCES_SHOWN + 3):
        keyframed(personas.team, personas.owner, [i])
    trashed = keyframed(personas.team, personas.owner, [5], trashed_at=timezone.now())
    rows = timing_sources(personas.team)
    assert len(rows) == TIMING_SOURCES_SHOWN
    assert str(trashed.id) not in {r["id"] for r in rows}


def test_composer_page_carries_grid_and_timings(client: Client, personas: Personas) -> None:
    keyframed(personas.team, personas.owner, [0, 12], prompt="<b>bold</b> move")
    client.force_login(personas.editor)
    html = client.get(reverse("composer:compose")).content.decode()
    grid = re.search(r'<script id="contract-facts" type="application/json">(.*?)</script>', html)
    assert grid and json.loads(grid.group(1)) == browser_facts()
    timings = re.search(r'<script id="timing-sources" type="application/json">(.*?)</script>', html)
    assert timings
    rows = json.loads(timings.group(1))
    assert [r["frames"] for r in rows] == [[0, 12]]
    assert "<b>" not in timings.group(1)  # escaped inside the data block
