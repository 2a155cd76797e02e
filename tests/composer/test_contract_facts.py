"""The browser reads the contract's facts from the page, never from its own copy.

Every page carries ``studio.contract.browser.browser_facts()`` once as a JSON block;
no script under ``static/`` and no template writes out the frame grid, the limits, the
defaults or the type names again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from studio.composer.pricing import price_table
from studio.contract import DURATIONS, FPS, RESOLUTIONS, TYPES, max_index
from studio.contract.browser import browser_facts
from studio.contract.grid import DEFAULT_ASPECT_RATIO
from studio.contract.models import KEYFRAMES_MAX, PROMPT_MAX
from studio.contract.prices import EDIT_BUCKETS
from tests.conftest import Personas

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*(ROOT / "static").rglob("*.js"), *(ROOT / "templates").rglob("*.html")])
# "video" is a type and also the name of one of the composer's modes: the modes are the
# composer's own words, so only the other type names are looked for.
QUOTED = [*RESOLUTIONS, *DURATIONS, *(t for t in TYPES if t != "video"), DEFAULT_ASPECT_RATIO]
NUMBERS = sorted({FPS, KEYFRAMES_MAX, PROMPT_MAX, *(max_index(d) for d in DURATIONS)}, reverse=True)
QUOTED_ALTERNATIVES = "|".join(map(re.escape, QUOTED))
QUOTED_RE = re.compile(rf"""["'`]({QUOTED_ALTERNATIVES})["'`]""")
NUMBER_ALTERNATIVES = "|".join([re.escape(f"{PROMPT_MAX:,}"), *map(str, NUMBERS)])
# A number on its own: not part of a longer number, a name, a colour or a percentage.
NUMBER_RE = re.compile(rf"(?<![\w.#-])({NUMBER_ALTERNATIVES})(?![\w.%])")
# Pixel sizes, truncation lengths and an icon's view box are not the grid's numbers.
NOT_FACTS = re.compile(r"// px|truncatechars:|viewBox=")


def restated(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if QUOTED_RE.search(line) or (NUMBER_RE.search(line) and not NOT_FACTS.search(line)):
            found.append(f"{path}:{number}: {line.strip()}")
    return found


def test_no_script_or_template_restates_the_contract() -> None:
    assert FILES
    found = [hit for path in FILES for hit in restated(path)]
    assert not found, "\n".join(found)


def test_the_check_finds_a_restated_fact(tmp_path: Path) -> None:
    lines = [
        "const fps = parseFloat(root.dataset.fps) || 24;",
        'resolution: checked("resolution") || "720p",',
        "if (f.type === 'video_edit') key = 'edit';",
        '<input type="range" max="120">',
        "<span>0 / 6,000</span>",
    ]
    path = tmp_path / "probe.js"
    for line in lines:
        path.write_text(line)
        assert restated(path), line
    path.write_text("const CARD = 64; // px: a keyframe's card")
    assert not restated(path)


def test_browser_facts_are_the_contracts() -> None:
    facts = browser_facts()
    assert facts["fps"] == FPS
    assert facts["keyframes_max"] == KEYFRAMES_MAX
    assert facts["prompt_max"] == PROMPT_MAX
    assert facts["max_index"] == {d: max_index(d) for d in DURATIONS}
    assert facts["short"]["max_index"] == min(facts["max_index"].values())
    assert facts["long"]["max_index"] == max(facts["max_index"].values())
    assert facts["prices"]["edit_up_to_seconds"] == [up_to for up_to, _ in EDIT_BUCKETS]
    json.dumps(facts)  # it goes into the page as JSON


def test_the_price_table_has_a_cell_for_every_edit_bucket() -> None:
    table = price_table()
    buckets = [str(up_to) for up_to in browser_facts()["prices"]["edit_up_to_seconds"]]
    for resolution in RESOLUTIONS:
        for bucket in [*buckets, "long", "none"]:
            assert f"edit|{resolution}|0|0|{bucket}" in table


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["composer:compose", "review:gallery"])
def test_pages_carry_the_facts_once(client: Client, personas: Personas, url: str) -> None:
    client.force_login(personas.editor)
    html = client.get(reverse(url)).content.decode()
    blocks = re.findall(r'<script id="contract-facts" type="application/json">(.*?)</script>', html)
    assert len(blocks) == 1
    assert json.loads(blocks[0]) == browser_facts()
