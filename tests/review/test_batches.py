"""Batches on the review pages: the batch view, one gallery card per batch, a take's siblings.

Who sees what: Northwind's members see Northwind's batches; the outsider (Elsewhere) gets
a 404 for them, as Northwind's members do for Elsewhere's.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studio.generations.models import Batch, Generation
from tests.conftest import Personas
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<li class="clip-card" data-id="([0-9a-f-]+)"')
BATCH_CARD = re.compile(r'<li class="clip-card batch-card" data-batch="([0-9a-f-]+)"')


def make_batch(
    team: Any,
    author: Any,
    states: list[str],
    *,
    kind: str = Batch.Kind.TAKES,
    varies: str = "",
    prompts: list[str] | None = None,
    values: list[str] | None = None,
    at: dt.datetime | None = None,
) -> tuple[Batch, list[Generation]]:
    """A batch as lifecycle.record writes one: every take at the same instant, in order."""
    at = at or timezone.now()
    batch = Batch.objects.create(
        team=team,
        author=author,
        kind=kind,
        varies=varies,
        size=len(states),
        price=Decimal("0.30") * len(states),
        created_at=at,
    )
    takes = []
    for i, state in enumerate(states):
        fields: dict[str, Any] = {"state": state, "batch": batch, "take_index": i, "created_at": at}
        if prompts:
            fields["prompt"] = prompts[i]
        if values:
            fields["resolution"] = values[i]
        takes.append(make_generation(team, author, **fields))
    return batch, takes


@pytest.fixture
def batches(personas: Personas) -> dict[str, Any]:
    now = timezone.now()
    done = Generation.State.COMPLETED
    waiting = Generation.State.WAITING
    takes, take_rows = make_batch(
        personas.team,
        personas.editor,
        [done, waiting, done, done, waiting, done],
        at=now - dt.timedelta(hours=3),
    )
    add_media(take_rows[0], frames=2)
    prompts, prompt_rows = make_batch(
        personas.team,
        personas.owner,
        [done, done, Generation.State.FAILED],
        kind=Batch.Kind.PROMPTS,
        varies="prompt",
        prompts=["A fox at dawn", "A fox at noon", "A fox at night"],
        at=now - dt.timedelta(hours=2),
    )
    sweep, sweep_rows = make_batch(
        personas.team,
        personas.editor,
        [done, Generation.State.QUEUED, waiting],
        kind=Batch.Kind.SWEEP,
        varies="resolution",
        values=["360p", "720p", "1080p"],
        at=now - dt.timedelta(hours=1),
    )
    single = make_generation(personas.team, personas.editor, prompt="On its own", created_at=now)
    elsewhere, _ = make_batch(personas.other_team, personas.outsider, [done, done])
    return {
        "takes": (takes, take_rows),
        "prompts": (prompts, prompt_rows),
        "sweep": (sweep, sweep_rows),
        "single": single,
        "elsewhere": elsewhere,
    }


def html_of(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_batch_view_shows_that_batch_in_take_order(client, personas, batches) -> None:
    batch, rows = batches["takes"]
    client.force_login(personas.viewer)
    html = html_of(client, f"/?batch={batch.id}")
    assert CARD.findall(html) == [str(g.id) for g in rows]
    assert "Batch of 6 takes" in html
    assert "4 completed, 2 waiting" in html
    assert "Take 1" in html and "Take 6" in html
    # Compare from the batch: the gallery's selection form, one checkbox per take.
    assert 'action="/compare/"' in html
    ticks = re.findall(
        r'<input type="checkbox" name="g" value="([0-9a-f-]+)" form="selection">', html
    )
    assert ticks == [str(g.id) for g in rows]


def test_batch_view_names_prompts_and_sweep_values(client, personas, batches) -> None:
    client.force_login(personas.editor)
    prompts, _ = batches["prompts"]
    html = html_of(client, f"/?batch={prompts.id}")
    assert "3 prompts" in html
    assert "A fox at dawn" in html and "A fox at night" in html
    assert "2 completed, 1 failed" in html
    sweep, rows = batches["sweep"]
    html = html_of(client, f"/?batch={sweep.id}")
    assert "Sweep over resolution" in html
    assert "Take 1 · 360p" in html and "Take 3 · 1080p" in html


def test_batch_view_keeps_the_filters(client, personas, batches) -> None:
    batch, rows = batches["takes"]
    client.force_login(personas.editor)
    html = html_of(client, f"/?batch={batch.id}&state=waiting")
    assert CARD.findall(html) == [str(rows[1].id), str(rows[4].id)]
    # The heading still speaks for the whole batch, and Apply keeps to it.
    assert "4 completed, 2 waiting" in html
    assert f'<input type="hidden" name="batch" value="{batch.id}">' in html


@pytest.mark.parametrize("who", ["outsider", "editor"])
def test_another_teams_batch_is_a_404(client, personas, batches, who) -> None:
    own = {"outsider": batches["takes"][0], "editor": batches["elsewhere"]}[who]
    client.force_login(getattr(personas, who))
    assert client.get(f"/?batch={own.id}").status_code == 404


def test_a_malformed_batch_id_is_a_404(client, personas, batches) -> None:
    client.force_login(personas.editor)
    assert client.get("/?batch=not-a-uuid").status_code == 404


def test_the_gallery_shows_one_card_per_batch(client, personas, batches) -> None:
    client.force_login(personas.editor)
    html = html_of(client, "/")
    takes, take_rows = batches["takes"]
    prompts, _ = batches["prompts"]
    sweep, _ = batches["sweep"]
    # Newest first: the single take, then each batch as one card where its takes stood.
    assert BATCH_CARD.findall(html) == [str(sweep.id), str(prompts.id), str(takes.id)]
    top = re.findall(r'<li class="clip-card(?: batch-card)?" data-(?:id|batch)="([^"]+)"', html)
    assert top[0] == str(batches["single"].id)
    card = html[html.index(f'data-batch="{takes.id}"') :]
    card = card[: card.index("</details>")]
    assert "Batch of 6 takes" in card
    assert "4 completed, 2 waiting" in card
    assert f'href="/?batch={takes.id}">Open batch</a>' in card
    # The first take's poster stands for the batch.
    assert f"outputs/test/{take_rows[0].id}/poster.png" in card.split("<details")[0]
    # Opened in place, it lists each take's own card.
    assert "<details" in card and "Show the 6 takes" in card
    assert CARD.findall(card) == [str(g.id) for g in take_rows]
    assert "Sweep over resolution" in html and "3 prompts" in html
    # Another team's batch never shows.
    assert str(batches["elsewhere"].id) not in html


def test_a_filtered_gallery_says_how_many_takes_of_a_batch_match(client, personas, batches):
    client.force_login(personas.editor)
    takes, _ = batches["takes"]
    html = html_of(client, "/?state=waiting")
    assert str(takes.id) in BATCH_CARD.findall(html)
    assert "2 of 6 match the filters" in html


def test_keyset_paging_still_reaches_every_row(client, personas, batches) -> None:
    now = timezone.now()
    for i in range(30):
        make_generation(
            personas.team,
            personas.editor,
            prompt=f"single {i}",
            created_at=now - dt.timedelta(minutes=i),
        )
    client.force_login(personas.editor)
    url, singles, cards = "/?size=24", [], set()
    for _ in range(10):
        html = html_of(client, url)
        for batch_card in re.findall(r'<li class="clip-card batch-card".*?</details>', html, re.S):
            html = html.replace(batch_card, "")
        cards.update(BATCH_CARD.findall(client.get(url).content.decode()))
        singles.extend(CARD.findall(html))
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        if not nxt:
            break
        url = nxt.group(1).replace("&amp;", "&")
    expected = Generation.objects.filter(team=personas.team, batch__isnull=True)
    assert sorted(singles) == sorted(str(g.id) for g in expected)
    assert len(singles) == len(set(singles))
    assert cards == {str(batches[k][0].id) for k in ("takes", "prompts", "sweep")}


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_constant_with_batches(client, personas) -> None:
    client.force_login(personas.editor)
    now = timezone.now()
    for i in range(5):
        make_generation(
            personas.team, personas.editor, created_at=now - dt.timedelta(days=1, minutes=i)
        )
    without = _count(client, "/")
    counts = []
    for n in range(1, 5):
        batch, rows = make_batch(
            personas.team,
            personas.editor,
            ["completed", "waiting", "queued"],
            at=now - dt.timedelta(minutes=n),
        )
        add_media(rows[0], frames=2)
        counts.append(_count(client, "/"))
        counts.append(_count(client, "/?size=96"))
        counts.append(_count(client, f"/?batch={batch.id}"))
    assert len(set(counts[0::3] + counts[1::3])) == 1, counts
    assert len(set(counts[2::3])) == 1, counts
    # The batches' takes and their media: two queries, however many batches.
    assert counts[0] <= without + 2


def test_a_takes_page_links_its_siblings(client, personas, batches) -> None:
    sweep, rows = batches["sweep"]
    client.force_login(personas.viewer)
    html = html_of(client, reverse("review:generation", args=[rows[1].id]))
    section = html[html.index('class="card siblings"') :]
    section = section[: section.index("</section>")]
    assert "Take 2 of 3" in section
    assert "Sweep over resolution" in section
    for other in (rows[0], rows[2]):
        assert f'href="/g/{other.id}/"' in section
    assert f'href="/g/{rows[1].id}/"' not in section
    assert '<span class="take-name" aria-current="page">Take 2</span>' in section
    assert "360p" in section and "1080p" in section
    assert "Completed" in section and "Queued" in section and "Waiting" in section
    compare = re.search(r'href="(/compare/\?[^"]+)">Compare takes', section)
    assert compare
    ids = re.findall(r"g=([0-9a-f-]+)", compare.group(1))
    assert ids == [str(g.id) for g in rows]
    assert f'href="/?batch={sweep.id}"' in section


def test_siblings_show_prompts_and_compare_the_first_four(client, personas, batches) -> None:
    client.force_login(personas.editor)
    _, prompt_rows = batches["prompts"]
    html = html_of(client, reverse("review:generation", args=[prompt_rows[2].id]))
    assert "Take 3 of 3" in html and "A fox at dawn" in html and "A fox at noon" in html
    _, take_rows = batches["takes"]
    html = html_of(client, reverse("review:generation", args=[take_rows[0].id]))
    compare = re.search(r'href="(/compare/\?[^"]+)">Compare takes', html)
    assert re.findall(r"g=([0-9a-f-]+)", compare.group(1)) == [str(g.id) for g in take_rows[:4]]
    # The compare page takes those four.
    assert client.get(compare.group(1).replace("&amp;", "&")).status_code == 200


def test_a_take_outside_a_batch_has_no_siblings(client, personas, batches) -> None:
    client.force_login(personas.editor)
    html = html_of(client, reverse("review:generation", args=[batches["single"].id]))
    assert 'class="card siblings"' not in html
