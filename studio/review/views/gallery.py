from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from studio.review import batches, share, stacks
from studio.review import gallery as g
from studio.review.cards import Card, cards_of
from studio.teams.access import current_membership
from studio.teams.models import Membership


def _authors(team_id: int) -> list[tuple[int, str]]:
    members = Membership.objects.filter(team_id=team_id).select_related("user")
    return sorted(
        ((m.user_id, m.user.get_full_name() or m.user.email) for m in members),
        key=lambda item: item[1].lower(),
    )


def _query_with(base: QueryDict, name: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = base.copy()
    query[name] = cursor
    return query.urlencode()


def _grouping(request: HttpRequest) -> str:
    """How the gallery folds its cards: the person's choice, kept in their session."""
    wanted = request.GET.get("group")
    if wanted in stacks.GROUPINGS:
        request.session[stacks.GROUPING_SESSION_KEY] = wanted
        return wanted
    kept = request.session.get(stacks.GROUPING_SESSION_KEY)
    return kept if kept in stacks.GROUPINGS else stacks.DEFAULT_GROUPING


@login_required
def gallery(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        # Signed in but in no team yet: say so rather than show an empty grid.
        return render(request, "review/no_team.html")
    form = g.GalleryFilters(request.GET or None, authors=_authors(membership.team_id))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sort = g.sort_of(data)
    size = data.get("size") or g.PAGE_SIZES[0]
    error = ""
    qs = g.filtered(membership.team, data)
    grouping = _grouping(request)
    batch = stack = None
    if "stack" in request.GET:
        # One stack's versions, v1 first.
        stack = stacks.get_stack_for(membership.team, request.GET["stack"])
        items = list(
            qs.filter(stack=stack)
            .select_related("author")
            .prefetch_related(g.card_outputs())
            .order_by("version")
        )
        page = g.Page(items=items, next_cursor=None, size=size)
        cards: Sequence[Card | batches.BatchCard | stacks.StackCard] = cards_of(items)
    elif "batch" in request.GET:
        # One batch's takes, in take order: at most MAX_TAKES, so never more than a page.
        batch = batches.get_batch_for(membership.team, request.GET["batch"])
        page = g.Page(items=batches.batch_takes(qs, batch), next_cursor=None, size=size)
        cards = cards_of(page.items, batches.take_labels(page.items, batch))
    else:
        try:
            page = g.page_of(
                qs, sort, size, request.GET.get("after"), before=request.GET.get("before")
            )
        except g.BadCursor as exc:
            error = str(exc)
            page = g.page_of(qs, sort, size)
        if grouping == "batch":
            cards = cards_of(batches.group(page.items, membership.team))
        elif grouping == "stack":
            cards = cards_of(stacks.group(page.items, membership.team))
        else:
            cards = cards_of(page.items)
    first_query = request.GET.copy()
    first_query.pop("after", None)
    first_query.pop("before", None)
    context = {
        "form": form,
        "page": page,
        "cards": cards,
        "batch": batch,
        "batch_title": batches.title_of(batch) if batch else "",
        "batch_summary": batches.batch_summary(batch) if batch else "",
        "stack": stack,
        "stack_compare_url": stacks.stack_compare_url(stack) if stack else "",
        "grouping": grouping,
        "groupings": stacks.GROUPINGS,
        "sort": sort,
        "next_query": _query_with(first_query, "after", page.next_cursor),
        "prev_query": _query_with(first_query, "before", page.prev_cursor),
        "first_query": first_query.urlencode(),
        "is_later_page": page.prev_cursor is not None or ("after" in request.GET and not error),
        "cursor_error": error,
        "can_share": membership.can("compose"),
        "share_days": share.DAY_CHOICES,
        "share_default_days": share.DEFAULT_DAYS,
        "filtered": any(v for k, v in data.items() if k not in ("sort", "size")),
    }
    return render(request, "review/gallery.html", context)
