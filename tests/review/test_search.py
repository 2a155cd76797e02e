"""The gallery's prompt search: results on both databases, ranking and the index on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.generations.models import Generation
from studio.review import gallery as g
from tests.conftest import Personas
from tests.factories import make_generation

CARD = re.compile(rb'<li class="clip-card" data-id="([0-9a-f-]+)"')
NEXT = re.compile(rb'rel="next" href="\?([^"]+)"')

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the stored search vector is PostgreSQL's"
)


def ids_on(response) -> list[str]:
    return [m.decode() for m in CARD.findall(response.content)]


def _take(personas: Personas, prompt: str, days_ago: int) -> Generation:
    return make_generation(
        personas.team,
        personas.editor,
        prompt=prompt,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_search_finds_every_word_in_the_team_only(client, personas) -> None:
    fog = _take(personas, "Lighthouse in fog, slow dolly in", 1)
    _take(personas, "Lighthouse at dusk", 2)
    _take(personas, "Harbour in fog", 3)
    trashed = _take(personas, "Lighthouse in fog at night", 4)
    Generation.objects.filter(pk=trashed.pk).update(trashed_at=timezone.now())
    make_generation(personas.other_team, personas.outsider, prompt="Lighthouse in fog")
    client.force_login(personas.viewer)
    response = client.get("/?q=FOG+lighthouse")
    assert response.status_code == 200
    assert ids_on(response) == [str(fog.id)]
    assert ids_on(client.get("/?q=zebra")) == []


def test_a_search_sorts_by_best_match_unless_asked_otherwise(client, personas) -> None:
    assert g.sort_of({"q": "fog"}) == "relevance"
    assert g.sort_of({"q": "fog", "sort": "oldest"}) == "oldest"
    # Nothing to rank without a search: the gallery's usual order.
    assert g.sort_of({"q": "  ", "sort": "relevance"}) == "newest"
    assert g.sort_of({}) == "newest"
    newer = _take(personas, "Orchard at dusk", 1)
    older = _take(personas, "Orchard at dawn", 2)
    client.force_login(personas.viewer)
    response = client.get("/?sort=relevance")
    assert response.status_code == 200
    assert ids_on(response) == [str(newer.id), str(older.id)]
    response = client.get("/?q=orchard")
    assert re.search(rb'<option value="relevance"[^>]*\bselected', response.content)


def test_best_match_pages_cover_every_match_once(client, personas) -> None:
    made = {str(_take(personas, f"Greenhouse take {i}", i % 5).id) for i in range(30)}
    made |= {
        str(_take(personas, "Greenhouse greenhouse, greenhouse at dusk", i).id) for i in range(5)
    }
    _take(personas, "Orchard", 1)
    client.force_login(personas.editor)
    seen: list[str] = []
    url = "/?q=greenhouse&size=24"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += ids_on(response)
        found = NEXT.search(response.content)
        url = "/?" + found.group(1).decode().replace("&amp;", "&") if found else ""
    assert len(seen) == len(made)
    assert set(seen) == made


def test_search_query_count_does_not_grow_with_matches(client, personas) -> None:
    client.force_login(personas.editor)
    counts = []
    for n in (2, 30):
        Generation.objects.all().delete()
        for i in range(n):
            _take(personas, f"Glacier pass {i}", i)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/?q=glacier&size=96")
        assert len(ids_on(response)) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@postgres_only
def test_best_match_ranks_by_relevance_on_postgresql(client, personas) -> None:
    once = _take(personas, "A coral reef at noon", 1)
    # Older, but says "reef" three times: the better match.
    thrice = _take(personas, "Reef, reef and another reef", 9)
    client.force_login(personas.viewer)
    assert ids_on(client.get("/?q=reef")) == [str(thrice.id), str(once.id)]
    # Stemmed: the plural finds the singular.
    assert ids_on(client.get("/?q=reefs")) == [str(thrice.id), str(once.id)]
    assert ids_on(client.get("/?q=reef&sort=newest")) == [str(once.id), str(thrice.id)]


def _plan(qs) -> str:
    with connection.cursor() as cursor:
        # A few hundred rows would be scanned anyway; make the planner show what it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return qs.explain()


@postgres_only
def test_search_and_most_commented_use_their_indexes(personas) -> None:
    for i in range(150):
        _take(personas, f"Neon alley {i}" if i % 50 == 0 else f"Wheat field {i}", i)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE generations_generation")
    # The gallery's match condition is one the stored vector's GIN index answers (at this
    # size the team's own index would win the whole query; bench/gallery.py shows 100k).
    plan = _plan(g.search(Generation.objects.all(), "neon alley"))
    assert "gen_prompt_search" in plan
    assert "Index Cond: (prompt_search @@" in plan
    page = g.filtered(personas.team, {"q": "neon alley"}).order_by(*g.ordering("relevance"))
    assert '"generations_generation"."prompt_search" @@' in str(page.query)
    plan = _plan(g.filtered(personas.team, {}).order_by(*g.ordering("most_commented"))[:25])
    assert "gen_team_most_commented" in plan


@pytest.mark.parametrize("sort", ["newest", "oldest", "most_commented"])
def test_a_search_pages_every_sort_both_ways(client, personas, sort: str) -> None:
    for i in range(30):
        take = _take(personas, f"Glacier pass {i}", i % 4)  # days repeat: ties on the date
        Generation.objects.filter(pk=take.pk).update(comment_count=i % 3)
    _take(personas, "Orchard", 1)
    expected = [
        str(pk)
        for pk in Generation.objects.filter(prompt__startswith="Glacier")
        .order_by(*g.ordering(sort))
        .values_list("pk", flat=True)
    ]
    client.force_login(personas.editor)
    pages: list[list[str]] = []
    url = f"/?q=glacier&sort={sort}&size=24"
    while True:
        response = client.get(url)
        pages.append(ids_on(response))
        found = NEXT.search(response.content)
        if not found:
            break
        url = "/?" + found.group(1).decode().replace("&amp;", "&")
    assert [pk for page in pages for pk in page] == expected
    back = re.search(rb'rel="prev" href="\?([^"]+)"', response.content)
    assert back is not None
    previous = client.get("/?" + back.group(1).decode().replace("&amp;", "&"))
    assert ids_on(previous) == pages[0]


@postgres_only
@pytest.mark.parametrize("sort", ["newest", "oldest", "most_commented"])
def test_a_search_in_date_or_comment_order_asks_the_gin_index(personas, sort: str) -> None:
    for i in range(150):
        _take(personas, f"Wheat field {i}", i)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE generations_generation")
    qs = g.filtered(personas.team, {"q": "zebra"})
    with connection.cursor() as cursor:
        # Forbid a sort: an index that gave the order would be walked, testing every row
        # for a word no row has. The only way left is the GIN index's matches, sorted.
        cursor.execute("SET LOCAL enable_sort = off")
        plan = _plan(qs.order_by(*g.order_of(qs, sort, reverse=False))[:25])
    assert "Bitmap Index Scan on gen_prompt_search" in plan
    assert not re.search(r"(?<!Bitmap )Index Scan", plan), plan


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        return {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "generations_generation"
            )
        }


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "generations_generation"))


@pytest.mark.django_db(transaction=True)
def test_search_migrations_reverse_and_reapply() -> None:
    pg = connection.vendor == "postgresql"
    executor = MigrationExecutor(connection)
    # Only these two, so later migrations of either app are left alone.
    ours = [
        executor.loader.graph.nodes[("review", "0006_prompt_search_vector")],
        executor.loader.graph.nodes[("generations", "0005_most_commented_index")],
    ]
    assert ("prompt_search" in _columns()) is pg
    assert "gen_team_most_commented" in _indexes()
    try:
        executor.migrate(None, plan=[(m, True) for m in ours])
        assert "prompt_search" not in _columns()
        assert "gen_team_most_commented" not in _indexes()
        # Migration 0002's expression index is back where there was one.
        assert ("gen_prompt_search" in _indexes()) is pg
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(None, plan=[(m, False) for m in reversed(ours)])
    assert ("prompt_search" in _columns()) is pg
    assert "gen_team_most_commented" in _indexes()
