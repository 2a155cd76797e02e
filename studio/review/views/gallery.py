from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studio.review import gallery as g
from studio.review.page import template_exists
from studio.teams.access import current_membership
from studio.teams.models import Membership


def _authors(team_id: int) -> list[tuple[int, str]]:
    members = Membership.objects.filter(team_id=team_id).select_related("user")
    return sorted(
        ((m.user_id, m.user.get_full_name() or m.user.email) for m in members),
        key=lambda item: item[1].lower(),
    )


@login_required
def gallery(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        # Signed in but in no team yet: say so rather than show an empty grid.
        return render(request, "review/no_team.html")
    form = g.GalleryFilters(request.GET or None, authors=_authors(membership.team_id))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sort = data.get("sort") or "newest"
    size = data.get("size") or g.PAGE_SIZES[0]
    error = ""
    try:
        page = g.page_of(g.filtered(membership.team, data), sort, size, request.GET.get("after"))
    except g.BadCursor as exc:
        error = str(exc)
        page = g.page_of(g.filtered(membership.team, data), sort, size, None)
    g.attach_media(page.items)
    query = request.GET.copy()
    query.pop("after", None)
    next_query = None
    if page.next_cursor:
        query["after"] = page.next_cursor
        next_query = query.urlencode()
    first_query = request.GET.copy()
    first_query.pop("after", None)
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "next_query": next_query,
        "first_query": first_query.urlencode(),
        "is_later_page": "after" in request.GET and not error,
        "cursor_error": error,
        "can_share": membership.can("compose"),
        "has_progress_partial": template_exists("generations/_progress.html"),
        "has_progress_js": finders.find("generations/progress.js") is not None,
        "filtered": any(v for k, v in data.items() if k not in ("sort", "size")),
    }
    return render(request, "review/gallery.html", context)
