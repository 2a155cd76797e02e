"""Keyset paging both ways: Next and Previous links, every sort and a filter, ties included."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.generations.models import Generation
from studio.review import gallery as g
from tests.conftest import Personas
from tests.factories import make_generation
from tests.review.test_gallery import ids_on


def _link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"'.encode(), response.content)
    return "/" + found.group(1).decode().replace("&amp;", "&") if found else None


@pytest.fixture
def many(personas: Personas) -> list[Generation]:
    now = timezone.now()
    same_time = now - dt.timedelta(hours=1)
    return [
        make_generation(
            personas.team,
            personas.editor if i % 2 else personas.owner,
            prompt=f"take {i}",
            # A third share one timestamp, and comment counts repeat: ties everywhere, broken
            # only by the id.
            created_at=same_time if i % 3 == 0 else now - dt.timedelta(minutes=i),
            comment_count=i % 4,
            hdr=i % 5 == 0,
        )
        for i in range(60)
    ]


@pytest.mark.parametrize("sort", ["newest", "oldest", "most_commented", "relevance"])
# Every prompt matches "take" equally: the rank ties everywhere, like the timestamps.
@pytest.mark.parametrize("extra", ["", "&hdr=no", "&q=take"])
def test_previous_retraces_next_exactly(client, personas, many, sort: str, extra: str) -> None:
    client.force_login(personas.editor)
    url: str | None = f"/?sort={sort}&size=24{extra}"
    forward: list[list[str]] = []
    response = None
    while url:
        response = client.get(url)
        forward.append(ids_on(response))
        url = _link(response, "next")
    expected = [x for x in many if extra != "&hdr=no" or not x.hdr]
    seen = [i for page in forward for i in page]
    assert len(seen) == len(set(seen)) == len(expected)
    assert len(forward) == -(-len(expected) // 24)
    assert _link(response, "next") is None

    # Walk back from the last page: each page equals the one seen going forward.
    backward = [ids_on(response)]
    url = _link(response, "prev")
    while url:
        response = client.get(url)
        backward.append(ids_on(response))
        url = _link(response, "prev")
    assert backward == forward[::-1]
    # Back on the first page: no Previous, no First page, but Next again.
    assert b"First page" not in response.content
    assert _link(response, "next") is not None


def test_back_and_forth_in_the_middle(client, personas, many) -> None:
    client.force_login(personas.editor)
    first = client.get("/?size=24")
    second = client.get(_link(first, "next"))
    third = client.get(_link(second, "next"))
    back_to_second = client.get(_link(third, "prev"))
    assert ids_on(back_to_second) == ids_on(second)
    again_third = client.get(_link(back_to_second, "next"))
    assert ids_on(again_third) == ids_on(third)
    back_to_first = client.get(_link(back_to_second, "prev"))
    assert ids_on(back_to_first) == ids_on(first)
    # A later page keeps its "First page" link.
    assert b"First page" in second.content and b'rel="prev"' in second.content


def test_previous_after_new_rows_shows_a_full_first_page(client, personas, many) -> None:
    client.force_login(personas.editor)
    first = client.get("/?size=24&sort=oldest")
    second = client.get(_link(first, "next"))
    # Deleting rows of the first page meanwhile leaves fewer before the cursor than a page.
    Generation.objects.filter(id__in=ids_on(first)[:5]).delete()
    back = client.get(_link(second, "prev"))
    shown = ids_on(back)
    assert len(shown) == 24
    assert shown == ids_on(client.get("/?size=24&sort=oldest"))
    assert b'rel="prev"' not in back.content


def test_a_backward_page_costs_the_same_queries(client, personas, many) -> None:
    client.force_login(personas.editor)
    first = client.get("/?size=24")
    second_url = _link(first, "next")
    third = client.get(_link(client.get(second_url), "next"))
    counts = []
    for url in (second_url, _link(third, "prev")):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert len(ids_on(response)) == 24
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_cursor_cannot_change_direction(client, personas, many) -> None:
    client.force_login(personas.editor)
    row = Generation.objects.filter(team=personas.team).first()
    forward = g.encode_cursor(row, "newest", g.AFTER)
    response = client.get(f"/?before={forward}")
    assert b"This page link is not valid any more." in response.content
    backward = g.encode_cursor(row, "newest", g.BEFORE)
    response = client.get(f"/?after={backward}")
    assert b"This page link is not valid any more." in response.content
    response = client.get("/?before=forged")
    assert response.status_code == 200
    assert len(ids_on(response)) == 24
