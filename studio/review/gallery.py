"""The gallery's query: filters, prompt search, sort and keyset (cursor) pagination.

One page costs the same few queries whatever its size: the review facts are columns of
the generation row and the poster and thumbnail strip come in one prefetch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from studio.contract import DURATIONS, RESOLUTIONS, TYPES
from studio.generations.models import Generation, Output
from studio.teams.models import Team

PAGE_SIZES = (24, 48, 96)
CURSOR_SALT = "studio.review.gallery.cursor"

# Each sort is a tuple of (field, descending); the last field is the unique tie-breaker.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "newest": (("created_at", True), ("id", True)),
    "oldest": (("created_at", False), ("id", False)),
    "most_commented": (("comment_count", True), ("created_at", True), ("id", True)),
}
SORT_LABELS = {"newest": "Newest", "oldest": "Oldest", "most_commented": "Most commented"}
TYPE_LABELS = {"video": "Video", "video_edit": "Edit", "video_reframe": "Reframe"}


class BadCursor(ValueError):
    pass


CHIPS = ("state", "kind", "resolution", "duration", "approval")  # shown as toggle chips


class GalleryFilters(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search prompts")
    state = forms.MultipleChoiceField(required=False, choices=Generation.State.choices)
    kind = forms.MultipleChoiceField(
        required=False, choices=[(t, TYPE_LABELS[t]) for t in TYPES], label="Type"
    )
    resolution = forms.MultipleChoiceField(required=False, choices=[(r, r) for r in RESOLUTIONS])
    duration = forms.MultipleChoiceField(required=False, choices=[(d, d) for d in DURATIONS])
    hdr = forms.ChoiceField(
        required=False, choices=[("", "HDR or SDR"), ("yes", "HDR"), ("no", "SDR")], label="HDR"
    )
    author = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=())
    approval = forms.MultipleChoiceField(required=False, choices=Generation.Approval.choices)
    picked = forms.ChoiceField(
        required=False, choices=[("", "All"), ("yes", "Picked"), ("no", "Not picked")]
    )
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To")
    sort = forms.ChoiceField(required=False, choices=list(SORT_LABELS.items()))
    size = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=PAGE_SIZES[0], choices=[(s, s) for s in PAGE_SIZES]
    )

    def __init__(self, *args: Any, authors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", "Anyone"), *authors]
        for name in CHIPS:
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                choices=self.fields[name].choices
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


@dataclass
class Page:
    items: list[Generation]
    next_cursor: str | None
    size: int


def search_terms(q: str) -> list[str]:
    return [t for t in q.split() if t][:8]


def _search(qs: QuerySet[Generation], q: str) -> QuerySet[Generation]:
    terms = search_terms(q)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        # Matches the expression of the GIN index made by review's migration 0002.
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("prompt", config="english")
        return qs.annotate(prompt_search=vector).filter(
            prompt_search=SearchQuery(" ".join(terms), config="english", search_type="plain")
        )
    # SQLite: every word somewhere in the prompt (a scan of the team's rows; measured in
    # bench/gallery.py).
    for term in terms:
        qs = qs.filter(prompt__icontains=term)
    return qs


def filtered(team: Team, data: dict[str, Any]) -> QuerySet[Generation]:
    qs = Generation.objects.filter(team=team)
    for field in ("state", "kind", "resolution", "duration", "approval"):
        if data.get(field):
            qs = qs.filter(**{f"{field}__in": data[field]})
    if data.get("hdr"):
        qs = qs.filter(hdr=data["hdr"] == "yes")
    if data.get("picked"):
        qs = qs.filter(picked=data["picked"] == "yes")
    if data.get("author"):
        qs = qs.filter(author_id=data["author"])
    tz = timezone.get_current_timezone()
    if data.get("since"):
        qs = qs.filter(created_at__gte=dt.datetime.combine(data["since"], dt.time.min, tz))
    if data.get("until"):
        end = data["until"] + dt.timedelta(days=1)
        qs = qs.filter(created_at__lt=dt.datetime.combine(end, dt.time.min, tz))
    if data.get("q"):
        qs = _search(qs, data["q"])
    return qs


def _key_of(generation: Generation, sort: str) -> list[Any]:
    values: list[Any] = []
    for field, _desc in SORTS[sort]:
        value = getattr(generation, field)
        values.append(value.isoformat() if isinstance(value, dt.datetime) else str(value))
    return values


def encode_cursor(generation: Generation, sort: str) -> str:
    return signing.dumps(
        {"s": sort, "k": _key_of(generation, sort)}, salt=CURSOR_SALT, compress=True
    )


def decode_cursor(token: str, sort: str) -> list[Any]:
    try:
        data = signing.loads(token, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise BadCursor("This page link is not valid any more.") from None
    if (
        not isinstance(data, dict)
        or data.get("s") != sort
        or len(data.get("k", [])) != len(SORTS[sort])
    ):
        raise BadCursor("This page link belongs to another sort order.")
    values: list[Any] = []
    try:
        for (field, _desc), raw in zip(SORTS[sort], data["k"], strict=True):
            if field == "created_at":
                values.append(dt.datetime.fromisoformat(raw))
            elif field == "comment_count":
                values.append(int(raw))
            else:
                values.append(raw)
    except (TypeError, ValueError):
        raise BadCursor("This page link is not valid any more.") from None
    return values


def _after(sort: str, key: list[Any]) -> Q:
    """Rows strictly after `key` in the sort order (the keyset condition)."""
    fields = SORTS[sort]
    condition = Q()
    for i, (field, desc) in enumerate(fields):
        step = Q(**{f"{field}__{'lt' if desc else 'gt'}": key[i]})
        for j in range(i):
            step &= Q(**{fields[j][0]: key[j]})
        condition |= step
    return condition


def card_outputs() -> Prefetch:
    return Prefetch(
        "outputs",
        queryset=Output.objects.filter(kind__in=("poster", "thumbs")).only(
            "id", "generation_id", "kind", "file", "width", "height", "meta"
        ),
        to_attr="card_outputs",
    )


def page_of(qs: QuerySet[Generation], sort: str, size: int, cursor: str | None) -> Page:
    if cursor:
        qs = qs.filter(_after(sort, decode_cursor(cursor, sort)))
    order = [f"-{f}" if desc else f for f, desc in SORTS[sort]]
    rows = list(
        qs.select_related("author").prefetch_related(card_outputs()).order_by(*order)[: size + 1]
    )
    items = rows[:size]
    next_cursor = encode_cursor(items[-1], sort) if len(rows) > size else None
    return Page(items=items, next_cursor=next_cursor, size=size)


def attach_media(items: list[Generation]) -> None:
    """Name the poster and strip of each card (from the one prefetch)."""
    for g in items:
        g.poster = g.thumbs = None  # type: ignore[attr-defined]
        for output in getattr(g, "card_outputs", []):
            if output.kind == "poster":
                g.poster = output  # type: ignore[attr-defined]
            elif output.kind == "thumbs":
                g.thumbs = output  # type: ignore[attr-defined]
