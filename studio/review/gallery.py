"""The gallery's query: filters, prompt search, sort and keyset (cursor) pagination.

One page costs the same few queries whatever its size: the review facts are columns of
the generation row and the poster and thumbnail strip come in one prefetch.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.db import connection
from django.db.models import Expression, F, FloatField, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from studio.contract import DURATIONS, RESOLUTIONS, TYPES
from studio.generations.models import Generation, Output
from studio.teams.models import Team

PAGE_SIZES = (24, 48, 96)
CURSOR_SALT = "studio.review.gallery.cursor"
AFTER, BEFORE = "a", "b"  # which way a cursor points from its row

# Each sort is a tuple of (field, descending); the last field is the unique tie-breaker.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "newest": (("created_at", True), ("id", True)),
    "oldest": (("created_at", False), ("id", False)),
    "most_commented": (("comment_count", True), ("created_at", True), ("id", True)),
    # Only with a search (see sort_of); `rank` is annotated by search().
    "relevance": (("rank", True), ("created_at", True), ("id", True)),
}
SORT_LABELS = {
    "newest": "Newest",
    "oldest": "Oldest",
    "most_commented": "Most commented",
    "relevance": "Best match",
}
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
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],  # type: ignore[arg-type]  # Django takes any value; its stubs want text
        choices=[(s, s) for s in PAGE_SIZES],
    )

    def __init__(self, *args: Any, authors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        author = self.fields["author"]
        assert isinstance(author, forms.ChoiceField)
        author.choices = [("", "Anyone"), *authors]
        for name in CHIPS:
            chip = self.fields[name]
            assert isinstance(chip, forms.ChoiceField)
            choices = chip.choices
            assert isinstance(choices, list)  # Django keeps fixed choices as a list
            chip.widget = forms.CheckboxSelectMultiple(choices=choices)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


@dataclass
class Page:
    items: list[Generation]
    next_cursor: str | None
    size: int
    prev_cursor: str | None = None


def search_terms(q: str) -> list[str]:
    return [t for t in q.split() if t][:8]


def sort_of(data: dict[str, Any]) -> str:
    """The sort a cleaned filter set asks for: best match first when searching."""
    searching = bool(search_terms(data.get("q") or ""))
    sort = data.get("sort") or ("relevance" if searching else "newest")
    # Without a search there is nothing to rank by.
    return "newest" if sort == "relevance" and not searching else sort


class StoredPromptVector(Expression):
    """The `prompt_search` column that review's migration 0006 adds on PostgreSQL.

    A generated column the model does not declare (a GeneratedField would break SQLite's
    migrations), so queries name it through this expression.
    """

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        table = compiler.quote_name(Generation._meta.db_table)
        return f"{table}.{connection.ops.quote_name('prompt_search')}", ()


def search(qs: QuerySet[Generation], q: str) -> QuerySet[Generation]:
    """Rows whose prompt has every word of `q`, annotated with `rank` (higher is better)."""
    terms = search_terms(q)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        # Stemmed, so "lighthouses" finds "lighthouse"; the GIN index gen_prompt_search
        # answers the match, ts_rank orders the "Best match" sort.
        query = SearchQuery(" ".join(terms), config="english", search_type="plain")
        return (
            qs.alias(prompt_vector=StoredPromptVector())
            .filter(prompt_vector=query)
            # ts_rank is a float4, which reaches Python rounded; as a float8 it round-trips
            # exactly, so a cursor's rank compares equal to its row's.
            .annotate(rank=Cast(SearchRank(StoredPromptVector(), query), FloatField()))
        )
    # SQLite: every word somewhere in the prompt (a scan of the team's rows; measured in
    # bench/gallery.py), all ranked alike so "Best match" falls back to newest first.
    for term in terms:
        qs = qs.filter(prompt__icontains=term)
    return qs.annotate(rank=Value(0.0, output_field=FloatField()))


def filtered(team: Team, data: dict[str, Any]) -> QuerySet[Generation]:
    qs: QuerySet[Generation] = Generation.objects.live().filter(team=team)
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
        qs = search(qs, data["q"])
    return qs


def _key_of(generation: Generation, sort: str) -> list[Any]:
    return [getattr(generation, field) for field, _desc in SORTS[sort]]


def encode_cursor(generation: Generation, sort: str, direction: str = AFTER) -> str:
    """An opaque link to the rows after (or before) `generation` in `sort` order."""
    return _encode_key(_key_of(generation, sort), sort, direction)


def _encode_key(key: list[Any], sort: str, direction: str) -> str:
    raw = [v.isoformat() if isinstance(v, dt.datetime) else str(v) for v in key]
    return signing.dumps({"s": sort, "d": direction, "k": raw}, salt=CURSOR_SALT, compress=True)


def decode_cursor(token: str, sort: str, direction: str = AFTER) -> list[Any]:
    try:
        data = signing.loads(token, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise BadCursor("This page link is not valid any more.") from None
    if (
        not isinstance(data, dict)
        or data.get("s") != sort
        or not isinstance(data.get("k"), list)
        or len(data["k"]) != len(SORTS[sort])
    ):
        raise BadCursor("This page link belongs to another sort order.")
    # Cursors made before "Previous" existed carry no direction and only ever meant "after".
    if data.get("d", AFTER) != direction:
        raise BadCursor("This page link is not valid any more.")
    values: list[Any] = []
    try:
        for (field, _desc), raw in zip(SORTS[sort], data["k"], strict=True):
            if field == "created_at":
                values.append(dt.datetime.fromisoformat(raw))
            elif field == "comment_count":
                values.append(int(raw))
            elif field == "rank":
                values.append(float(raw))
            else:
                values.append(raw)
    except (TypeError, ValueError):
        raise BadCursor("This page link is not valid any more.") from None
    return values


def _beyond(sort: str, key: list[Any], direction: str) -> Q:
    """Rows strictly after (or before) `key` in the sort order: the keyset condition."""
    fields = SORTS[sort]
    condition = Q()
    for i, (field, desc) in enumerate(fields):
        forward_is_lower = desc == (direction == AFTER)
        step = Q(**{f"{field}__{'lt' if forward_is_lower else 'gt'}": key[i]})
        for j in range(i):
            step &= Q(**{fields[j][0]: key[j]})
        condition |= step
    return condition


@dataclass(frozen=True)
class CardMedia:
    """The poster and the scrubbing strip of a card; either may be missing."""

    poster: Output | None = None
    thumbs: Output | None = None


def media_of(g: Generation) -> CardMedia:
    """The poster and strip of a generation fetched with `card_outputs()` (no query)."""
    fetched: list[Output] = getattr(g, "card_outputs", [])
    by_kind = {o.kind: o for o in fetched}
    return CardMedia(poster=by_kind.get("poster"), thumbs=by_kind.get("thumbs"))


# The generation columns a card reads (with its author's name and address), so a page
# does not load the request, composition and worker bookkeeping of every row. Keep in
# step with cards.card_of() and with what batches.group / stacks.group read of a page's
# rows.
CARD_FIELDS = (
    "id",
    "author__first_name",
    "author__last_name",
    "author__email",
    "action",
    "prompt",
    "resolution",
    "duration",
    "hdr",
    "price",
    "price_estimated",
    "batch_id",
    "stack_id",
    "version",
    "state",
    "created_at",
    "outputs_ready",
    "duration_s",
    "approval",
    "comment_count",
    "picked",
)


def card_outputs() -> Prefetch:
    return Prefetch(
        "outputs",
        queryset=Output.objects.filter(kind__in=("poster", "thumbs")).only(
            "id", "generation_id", "kind", "file", "width", "height", "meta"
        ),
        to_attr="card_outputs",
    )


def ordering(sort: str, reverse: bool = False) -> list[str]:
    """The ORDER BY of `sort` (reversed for the rows before a cursor)."""
    return [f"-{f}" if desc != reverse else f for f, desc in SORTS[sort]]


class _Unindexed(Func):
    """`field + 0`: the field's own order, which no index can give.

    PostgreSQL cannot tell how many rows a word matches (it guesses from the commonest
    words), so for a rare or absent word it may walk the whole team in the sort's index,
    testing every row. Sorting on an expression leaves it one way: find the matches
    through the GIN index, then sort them, as "Best match" always does.
    """

    def __init__(self, name: str) -> None:
        zero = "interval '0'" if name == "created_at" else "0"
        super().__init__(F(name), template=f"(%(expressions)s + {zero})")


def order_of(qs: QuerySet[Generation], sort: str, reverse: bool = False) -> list[Any]:
    """The ORDER BY of a page of `qs` (see ordering()), left to the GIN index when `qs`
    searches and the sort is not "Best match"."""
    order: list[Any] = ordering(sort, reverse)
    if sort != "relevance" and "prompt_vector" in qs.query.annotations:  # see search()
        first = order[0]
        unindexed = _Unindexed(first.lstrip("-"))
        order[0] = unindexed.desc() if first.startswith("-") else unindexed.asc()
    return order


def _rows(
    qs: QuerySet[Generation], sort: str, limit: int, *, reverse: bool = False
) -> list[Generation]:
    return list(
        qs.select_related("author")
        .only(*CARD_FIELDS)
        .prefetch_related(card_outputs())
        .order_by(*order_of(qs, sort, reverse))[:limit]
    )


def page_of(
    qs: QuerySet[Generation],
    sort: str,
    size: int,
    cursor: str | None = None,
    *,
    before: str | None = None,
) -> Page:
    """One page after `cursor` (or before `before`), with links both ways.

    Each way is one keyset query of size + 1 rows (the extra row says whether more lie
    beyond), so the cost does not depend on how deep the page is.
    """
    if before:
        key = decode_cursor(before, sort, BEFORE)
        rows = _rows(qs.filter(_beyond(sort, key, BEFORE)), sort, size + 1, reverse=True)
        if len(rows) <= size:
            # Back at the start: show the real first page, the same one "First page" shows,
            # so a page shortened by rows added or removed meanwhile is never left short.
            return page_of(qs, sort, size)
        items = rows[:size][::-1]
        return Page(
            items=items,
            next_cursor=encode_cursor(items[-1], sort, AFTER),
            size=size,
            prev_cursor=encode_cursor(items[0], sort, BEFORE),
        )
    after = decode_cursor(cursor, sort, AFTER) if cursor else None
    if after is not None:
        qs = qs.filter(_beyond(sort, after, AFTER))
    rows = _rows(qs, sort, size + 1)
    items = rows[:size]
    # A cursor that now leads nowhere (its rows were deleted) offers only "First page".
    prev_cursor = encode_cursor(items[0], sort, BEFORE) if after is not None and items else None
    next_cursor = encode_cursor(items[-1], sort, AFTER) if len(rows) > size else None
    return Page(items=items, next_cursor=next_cursor, size=size, prev_cursor=prev_cursor)


def fold[K: Hashable, C](
    items: list[Generation],
    key: Callable[[Generation], K | None],
    members: Mapping[K, list[Generation]],
    card: Callable[[list[Generation], int], C],
) -> list[Generation | C]:
    """The page's rows with each group's (a batch's, a stack's) ``members`` folded into
    one card where the group's first row stood; ``card`` is told how many of the group's
    rows the page held. Rows of no group, or of a group with no members, stay as they are."""
    on_page = Counter(k for g in items if (k := key(g)) is not None)
    out: list[Generation | C] = []
    done: set[K] = set()
    for g in items:
        k = key(g)
        if k is None or not members.get(k):
            out.append(g)
        elif k not in done:
            done.add(k)
            out.append(card(members[k], on_page[k]))
    return out
