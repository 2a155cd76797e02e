"""What one gallery card shows, worked out in Python once per card.

A page of 96 cards is mostly template work. Each card renders from a plain `Card` of ready
values (links, labels, the poster's size) rather than through model lookups, filters and
`{% url %}` tags repeated 96 times; the links are reversed once per page and filled in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import Truncator

from studio.generations.models import Generation
from studio.review.gallery import media_of

# get_FOO_display() rebuilds its choices dict on every call; a card asks three times.
_STATE_LABELS = dict(Generation.State.choices)
_ACTION_LABELS = dict(Generation.Action.choices)
_APPROVAL_LABELS = dict(Generation.Approval.choices)

_SENTINEL_ID = uuid.UUID(int=0)
_SENTINEL_NAME = "__name__"


@dataclass(slots=True)
class Card:
    """One generation's gallery card."""

    id: str
    url: str
    prompt: str
    open_label: str  # the prompt cut for the link's accessible name
    select_label: str  # ... and for the checkbox's
    prompt_short: str  # ... and for the card's text
    thumbs_url: str
    tiles: int
    poster_url: str
    poster_width: int
    poster_height: int
    state: str
    state_label: str
    version: int | None
    take_label: str
    hdr: bool
    picked: bool
    length: str  # "5.0s" once the clip is measured, else the requested "5s"
    resolution: str
    action_label: str
    approval: str
    approval_label: str
    author_name: str
    author_email: str
    created_at: dt.datetime
    age: str
    comment_count: int
    comments_title: str
    price: Decimal
    price_estimated: bool
    # The row itself, for the live progress block of a card still on its way.
    generation: Generation
    # The gallery's loop asks every card which kind it is.
    is_batch: ClassVar[bool] = False
    is_stack: ClassVar[bool] = False

    @property
    def completed(self) -> bool:
        return self.state == Generation.State.COMPLETED


def _filler(name: str, sentinel: object, text: str) -> Callable[[str], str]:
    """`reverse(name, args=[value])` for many values at the cost of one reverse: the
    pattern's text around the sentinel, with each value quoted as reverse quotes it."""
    head, _, tail = reverse(name, args=[sentinel]).partition(text)
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda value: f"{head}{quote(value, safe=safe)}{tail}"


def _cut(text: str, length: int) -> str:
    # Truncator only where there is something to cut: it costs more than the card's rest.
    return Truncator(text).chars(length) if len(text) > length else text


def cards_of[Item](
    items: Iterable[Generation | Item], labels: Mapping[uuid.UUID, str] | None = None
) -> list[Card | Item]:
    """The page's items with each generation made a Card (batch and stack cards stay).

    Each generation comes with gallery.card_outputs() prefetched; `labels` holds the
    takes' short labels (batches.take_labels) by generation id.
    """
    detail = _filler("review:generation", _SENTINEL_ID, str(_SENTINEL_ID))
    media = _filler("generations:media", _SENTINEL_NAME, _SENTINEL_NAME)
    return [
        card_of(item, detail, media, (labels or {}).get(item.id, ""))
        if isinstance(item, Generation)
        else item
        for item in items
    ]


def card_of(
    g: Generation, detail: Callable[[str], str], media: Callable[[str], str], take_label: str = ""
) -> Card:
    outputs = media_of(g)
    poster, thumbs = outputs.poster, outputs.thumbs
    author = g.author
    meta = thumbs.meta if thumbs is not None and isinstance(thumbs.meta, dict) else {}
    n = g.comment_count
    ident = str(g.id)
    return Card(
        id=ident,
        url=detail(ident),
        prompt=g.prompt,
        open_label=_cut(g.prompt, 60),
        select_label=_cut(g.prompt, 40),
        prompt_short=_cut(g.prompt, 110),
        thumbs_url=media(thumbs.file.name) if thumbs is not None and thumbs.file.name else "",
        tiles=meta.get("count") or 10,
        poster_url=media(poster.file.name) if poster is not None and poster.file.name else "",
        poster_width=(poster.width if poster is not None else None) or 320,
        poster_height=(poster.height if poster is not None else None) or 180,
        state=g.state,
        state_label=_STATE_LABELS.get(g.state, g.state),
        version=g.version,
        take_label=take_label,
        hdr=g.hdr,
        picked=g.picked,
        length=f"{floatformat(g.duration_s, 1)}s" if g.duration_s else g.duration,
        resolution=g.resolution,
        action_label=_ACTION_LABELS.get(g.action, g.action),
        approval=g.approval,
        approval_label=_APPROVAL_LABELS.get(g.approval, g.approval),
        author_name=author.get_full_name() or author.email,
        author_email=author.email,
        created_at=g.created_at,
        age=naturaltime(g.created_at),
        comment_count=n,
        comments_title=f"{n} comment{'' if n == 1 else 's'}",
        price=g.price,
        price_estimated=g.price_estimated,
        generation=g,
    )
