"""Batches on the review pages: one gallery card per batch, the batch view, a take's siblings.

Takes recorded together share a ``Batch``. The gallery pages generations, not batches, so
its keyset paging is untouched: the takes of a page are grouped into batch cards after the
page is fetched, with one more query (and its media prefetch) for every take of those
batches, whatever the page size.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse

from studio.composer.takes import SWEEPS
from studio.contract.parsing import parse_uuid
from studio.generations.models import Batch, Generation, Output
from studio.review.cards import Card, cards_of
from studio.review.gallery import card_outputs, fold, media_of
from studio.teams.models import Team

# What review:compare plays side by side.
MAX_COMPARE = 4


def get_batch_for(team: Team, batch_id: str) -> Batch:
    """The team's batch, or 404: another team's batch is as missing as an unknown one."""
    ident = parse_uuid(batch_id)
    if ident is None:
        raise Http404("No such batch")
    batch = Batch.objects.select_related("author").filter(id=ident, team=team).first()
    if batch is None:
        raise Http404("No such batch")
    return batch


def title_of(batch: Batch, size: int | None = None) -> str:
    """ "Batch of 6 takes", "6 prompts" or "Sweep over resolution"."""
    n = batch.size if size is None else size
    if batch.kind == Batch.Kind.PROMPTS:
        return f"{n} prompts"
    if batch.kind == Batch.Kind.SWEEP:
        label = SWEEPS[batch.varies][2] if batch.varies in SWEEPS else batch.varies
        return f"Sweep over {label.lower()}"
    return f"Batch of {n} takes"


def state_summary(states: Counter[str]) -> str:
    """ "4 completed, 2 waiting": the most common state first, then in lifecycle order."""
    order = list(Generation.State.values)
    ranked = sorted(states.items(), key=lambda item: (-item[1], order.index(item[0])))
    return ", ".join(f"{n} {Generation.State(state).label.lower()}" for state, n in ranked if n)


def varied_value(take: Generation, batch: Batch) -> str:
    """What sets this take apart in its batch: its prompt, its sweep value, or nothing."""
    if batch.kind == Batch.Kind.PROMPTS:
        return take.prompt
    if batch.kind == Batch.Kind.SWEEP and batch.varies in SWEEPS:
        value: Any = take.request
        for key in SWEEPS[batch.varies][0]:
            value = value.get(key) if isinstance(value, dict) else None
        return "" if value is None else str(value)
    return ""


def take_labels(takes: list[Generation], batch: Batch) -> dict[uuid.UUID, str]:
    """The short label each take's card shows, by id: "Take 2" or "Take 2 · 1080p"."""
    labels = {}
    for take in takes:
        number = (take.take_index or 0) + 1
        value = varied_value(take, batch) if batch.kind == Batch.Kind.SWEEP else ""
        labels[take.id] = f"Take {number} · {value}" if value else f"Take {number}"
    return labels


def compare_url(takes: list[Generation]) -> str:
    """review:compare with the first four of ``takes``."""
    query = urlencode([("g", str(t.id)) for t in takes[:MAX_COMPARE]])
    return f"{reverse('review:compare')}?{query}"


@dataclass
class BatchCard:
    """One gallery card standing for every take of a batch."""

    batch: Batch
    takes: list[Generation]  # every take of the batch, in take order, with card media
    shown: int  # how many of them the page itself listed (fewer when filtered)
    is_batch: bool = field(default=True, init=False)

    @property
    def first(self) -> Generation:
        return self.takes[0]

    @property
    def take_cards(self) -> list[Card]:
        return cards_of(self.takes, take_labels(self.takes, self.batch))

    @property
    def poster(self) -> Output | None:
        """The first take's poster, or the first one any take has yet."""
        for take in self.takes:
            poster = media_of(take).poster
            if poster is not None:
                return poster
        return None

    @property
    def title(self) -> str:
        return title_of(self.batch, len(self.takes))

    @property
    def summary(self) -> str:
        return state_summary(Counter(t.state for t in self.takes))

    @property
    def price(self) -> Decimal:
        return self.batch.price


def group(items: list[Generation], team: Team) -> list[Generation | BatchCard]:
    """The page's rows with every batch's takes folded into one card, where its first
    row stood. One query (plus its media prefetch) fetches all takes of those batches."""
    batch_ids = list(dict.fromkeys(g.batch_id for g in items if g.batch_id))
    if not batch_ids:
        return list(items)
    takes: dict[uuid.UUID, list[Generation]] = {i: [] for i in batch_ids}
    rows = (
        Generation.objects.live()
        .filter(team=team, batch_id__in=batch_ids)
        .select_related("author", "batch")
        .prefetch_related(card_outputs())
        .order_by("take_index", "created_at", "id")
    )
    for take in rows:
        assert take.batch_id is not None  # one of batch_ids
        takes[take.batch_id].append(take)

    def card(members: list[Generation], on_page: int) -> BatchCard:
        batch = members[0].batch
        assert batch is not None  # a take of this batch, with it selected
        return BatchCard(batch, members, on_page)

    return fold(items, lambda g: g.batch_id, takes, card)


def batch_takes(qs: QuerySet[Generation], batch: Batch) -> list[Generation]:
    """The batch view's takes (``qs`` carries the gallery's filters), in take order."""
    items = list(
        qs.filter(batch=batch)
        .select_related("author")
        .prefetch_related(card_outputs())
        .order_by("take_index", "created_at", "id")
    )
    return items


def batch_summary(batch: Batch) -> str:
    """The whole batch's states (the view may be filtered to some of its takes)."""
    rows = batch.takes.order_by().values_list("state").annotate(n=Count("id"))
    return state_summary(Counter(dict(rows)))


@dataclass
class Sibling:
    generation: Generation
    number: int
    value: str
    current: bool


@dataclass
class Siblings:
    batch: Batch
    number: int  # this take's, from 1
    size: int
    takes: list[Sibling]
    compare_url: str

    @property
    def title(self) -> str:
        return title_of(self.batch, self.size)


def siblings(generation: Generation) -> Siblings | None:
    """The other takes of a generation's batch (one query), or None outside a batch."""
    if not generation.batch_id:
        return None
    takes = list(
        Generation.objects.filter(batch_id=generation.batch_id, team_id=generation.team_id)
        .select_related("batch")
        .order_by("take_index", "created_at", "id")
    )
    if not takes:
        return None
    batch = takes[0].batch
    assert batch is not None
    rows = [
        Sibling(
            generation=take,
            number=(take.take_index or 0) + 1,
            value=varied_value(take, batch),
            current=take.id == generation.id,
        )
        for take in takes
    ]
    number = next((r.number for r in rows if r.current), (generation.take_index or 0) + 1)
    return Siblings(batch, number, len(rows), rows, compare_url(takes))
