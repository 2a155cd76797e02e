"""The gallery: filters, prompt search, sorts, keyset pagination, constant query count."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studio.generations.models import Generation
from studio.review import gallery as g
from tests.conftest import Personas
from tests.factories import make_generation

CARD = re.compile(rb'<li class="clip-card" data-id="([0-9a-f-]+)"')


def ids_on(response) -> list[str]:
    return [m.decode() for m in CARD.findall(response.content)]


@pytest.fixture
def takes(personas: Personas) -> dict[str, Generation]:
    now = timezone.now()
    made = {
        "greenhouse": make_generation(
            personas.team,
            personas.editor,
            prompt="Misty greenhouse at sunrise, slow dolly",
            created_at=now - dt.timedelta(days=3),
        ),
        "orchard": make_generation(
            personas.team,
            personas.owner,
            prompt="Orchard at dusk with fireflies",
            hdr=True,
            resolution="1080p",
            created_at=now - dt.timedelta(days=2),
            approval="approved",
            picked=True,
        ),
        "failed": make_generation(
            personas.team,
            personas.editor,
            prompt="Harbour storm, drone shot",
            state="failed",
            kind="video_edit",
            duration="10s",
            created_at=now - dt.timedelta(days=1),
        ),
        "queued": make_generation(
            personas.team,
            personas.owner,
            prompt="Greenhouse interior, rack focus",
            state="queued",
            resolution="360p",
            price=Decimal("0.06"),
            created_at=now,
        ),
    }
    Generation.objects.filter(pk=made["failed"].pk).update(comment_count=7)
    Generation.objects.filter(pk=made["greenhouse"].pk).update(comment_count=2)
    # Another team's take matches every filter and must never show.
    make_generation(personas.other_team, personas.outsider, prompt="Greenhouse at sunrise")
    return made


def names(response, takes: dict[str, Generation]) -> list[str]:
    by_id = {str(v.id): k for k, v in takes.items()}
    return [by_id[i] for i in ids_on(response)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["queued", "failed", "orchard", "greenhouse"]),
        ("sort=oldest", ["greenhouse", "orchard", "failed", "queued"]),
        ("sort=most_commented", ["failed", "greenhouse", "queued", "orchard"]),
        ("state=completed", ["orchard", "greenhouse"]),
        ("state=failed&state=queued", ["queued", "failed"]),
        ("kind=video_edit", ["failed"]),
        ("resolution=1080p&resolution=360p", ["queued", "orchard"]),
        ("duration=10s", ["failed"]),
        ("hdr=yes", ["orchard"]),
        ("hdr=no", ["queued", "failed", "greenhouse"]),
        ("approval=approved", ["orchard"]),
        ("picked=yes", ["orchard"]),
        ("picked=no", ["queued", "failed", "greenhouse"]),
        ("q=greenhouse", ["queued", "greenhouse"]),
        ("q=GREENHOUSE+sunrise", ["greenhouse"]),
        ("q=nothing-like-this", []),
        ("q=greenhouse&state=queued", ["queued"]),
    ],
)
def test_filters_search_and_sorts(client, personas, takes, query: str, expected: list[str]) -> None:
    client.force_login(personas.viewer)
    response = client.get(f"{reverse('review:gallery')}?{query}")
    assert response.status_code == 200
    assert names(response, takes) == expected


def test_author_and_date_filters(client, personas, takes) -> None:
    client.force_login(personas.viewer)
    response = client.get(f"/?author={personas.owner.pk}")
    assert names(response, takes) == ["queued", "orchard"]
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.get(f"/?since={day}&until={day}")
    assert names(response, takes) == ["orchard"]


def test_bad_filters_answer_with_a_message_not_an_error(client, personas, takes) -> None:
    client.force_login(personas.viewer)
    response = client.get("/?since=2026-05-02&until=2026-05-01&state=bogus&size=7")
    assert response.status_code == 200
    assert b"The end date is before the start date." in response.content
    # The broken form does not filter: every take still shows.
    assert len(ids_on(response)) == 4


def test_keyset_pages_cover_everything_once(client, personas) -> None:
    now = timezone.now()
    same_time = now - dt.timedelta(hours=1)
    made = [
        make_generation(
            personas.team,
            personas.editor,
            prompt=f"take {i}",
            # Ties on created_at: the id breaks them, so nothing is skipped or repeated.
            created_at=same_time if i % 3 == 0 else now - dt.timedelta(minutes=i),
        )
        for i in range(60)
    ]
    client.force_login(personas.editor)
    for sort in ("newest", "oldest", "most_commented"):
        seen: list[str] = []
        url = f"/?sort={sort}&size=24"
        pages = 0
        while url:
            response = client.get(url)
            seen += ids_on(response)
            pages += 1
            nxt = re.search(rb'rel="next" href="([^"]+)"', response.content)
            url = "/" + nxt.group(1).decode().replace("&amp;", "&") if nxt else None
        assert pages == 3
        assert len(seen) == len(set(seen)) == len(made)


def test_a_forged_cursor_is_refused_politely(client, personas, takes) -> None:
    client.force_login(personas.editor)
    response = client.get("/?after=not-a-cursor")
    assert response.status_code == 200
    assert b"This page link is not valid any more." in response.content
    assert len(ids_on(response)) == 4
    # A cursor of one sort does not work for another.
    first = Generation.objects.filter(team=personas.team).first()
    cursor = g.encode_cursor(first, "newest")
    response = client.get(f"/?sort=oldest&after={cursor}")
    assert b"another sort order" in response.content


def test_query_count_does_not_grow_with_the_page(client, personas) -> None:
    from tests.factories import add_media

    for i in range(30):
        take = make_generation(personas.team, personas.editor, prompt=f"take {i}")
        if i < 3:
            add_media(take, frames=2)
    client.force_login(personas.editor)
    counts = {}
    for size in (24, 96):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/?size={size}")
        assert response.status_code == 200
        counts[size] = len(ctx.captured_queries)
    assert counts[24] == counts[96]
    assert counts[24] <= 10


def test_cards_show_what_a_reviewer_needs(client, personas) -> None:
    from tests.factories import add_media

    take = make_generation(
        personas.team,
        personas.editor,
        prompt="Lantern festival",
        hdr=True,
        price=Decimal("0.60"),
        price_estimated=True,
        approval="changes_requested",
        picked=True,
    )
    add_media(take, frames=24)
    Generation.objects.filter(pk=take.pk).update(comment_count=3)
    client.force_login(personas.viewer)
    html = client.get("/").content.decode()
    assert "Lantern festival" in html
    assert 'class="badge hdr">HDR' in html
    assert "Changes requested" in html
    assert "★ Pick" in html
    assert "3 comments" in html and "</svg> 3</span>" in html
    assert "$0.60*" in html
    assert "Eddie Editor" in html
    assert "1.0s · 720p" in html
    assert 'data-thumbs="/files/outputs/test/' in html and 'data-tiles="5"' in html
    assert "/poster.png" in html


def test_someone_in_no_team_is_told_so(client, db) -> None:
    from studio.accounts.users import create_user

    lonely = create_user("lonely@example.com", "x" * 12)
    client.force_login(lonely)
    response = client.get("/")
    assert response.status_code == 200
    assert b"not in a team yet" in response.content
