"""The trash on the pages: the Trash view, and trash/restore of one generation or a selection."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.contract.parsing import parse_uuid
from studio.generations import trash
from studio.generations.access import get_generation_for
from studio.generations.models import Generation, Output
from studio.http import AuthedRequest
from studio.review.batches import get_batch_for
from studio.review.gallery import card_outputs, media_of
from studio.teams.access import require_membership

TRASH_PAGE = 200  # the newest trashed generations shown; the purge keeps the list short
SELECTION_MAX = 500


@dataclass(frozen=True)
class TrashRow:
    """A trashed generation on the trash page, with when it goes for good."""

    generation: Generation
    poster: Output | None
    purge_at: dt.datetime
    can_restore: bool


@login_required
def trash_view(request: AuthedRequest) -> HttpResponse:
    """The team's trash: who trashed what and when, when it is purged; restore from here."""
    membership = require_membership(request, "view")
    items = list(
        Generation.objects.in_trash()
        .filter(team=membership.team)
        .select_related("author", "trashed_by")
        .prefetch_related(card_outputs())
        .order_by("-trashed_at", "-id")[:TRASH_PAGE]
    )
    keep = dt.timedelta(days=trash.trash_days())
    rows = []
    for item in items:
        assert item.trashed_at is not None  # in_trash() keeps only these
        rows.append(
            TrashRow(
                generation=item,
                poster=media_of(item).poster,
                purge_at=item.trashed_at + keep,
                can_restore=trash.may_trash(membership, item),
            )
        )
    return render(
        request,
        "review/trash.html",
        {
            "items": rows,
            "trash_days": trash.trash_days(),
            "can_compose": membership.can("compose"),
        },
    )


def _back_to(request: HttpRequest, fallback: str) -> HttpResponse:
    # Only a path of this site: never an open redirect.
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = fallback
    return redirect(target)


def _one(request: AuthedRequest, generation_id: uuid.UUID, *, restoring: bool) -> HttpResponse:
    generation, membership = get_generation_for(request, generation_id, "compose")
    if not trash.may_trash(membership, generation):
        raise PermissionDenied(trash.NOT_YOURS)
    try:
        if restoring:
            trash.restore(generation, request.user)
            messages.success(request, "Restored from the trash.")
        else:
            trash.trash(generation, request.user)
            messages.success(
                request,
                f"Moved to the trash: it is purged in {trash.trash_days()} days unless restored.",
            )
    except trash.TrashRefused as refused:
        messages.error(request, refused.detail)
    return _back_to(request, reverse("review:generation", args=[generation.id]))


@login_required
@require_POST
def trash_one(request: AuthedRequest, generation_id: uuid.UUID) -> HttpResponse:
    return _one(request, generation_id, restoring=False)


@login_required
@require_POST
def restore_one(request: AuthedRequest, generation_id: uuid.UUID) -> HttpResponse:
    return _one(request, generation_id, restoring=True)


@login_required
@require_POST
def trash_selection(request: AuthedRequest) -> HttpResponse:
    """Trash (``action=trash``) or restore (``action=restore``) the ticked generations
    (``g``, repeated) and/or every take of a batch (``batch``)."""
    membership = require_membership(request, "compose")
    action = request.POST.get("action", "trash")
    if action not in ("trash", "restore"):
        raise Http404("No such action")
    ids: list[uuid.UUID] = []
    for raw in request.POST.getlist("g")[:SELECTION_MAX]:
        ident = parse_uuid(raw)
        if ident is None:
            raise Http404("No such generation")
        ids.append(ident)
    chosen_ids = Q(id__in=ids)
    if request.POST.get("batch"):
        chosen_ids |= Q(batch=get_batch_for(membership.team, request.POST["batch"]))
    rows = Generation.objects.filter(chosen_ids, team=membership.team)
    fallback = reverse("review:trash" if action == "restore" else "review:gallery")
    chosen = list(rows.order_by("created_at", "id"))
    if not chosen:
        messages.error(request, "Tick the generations first.")
        return _back_to(request, fallback)
    result = trash.trash_many(membership, chosen, restoring=action == "restore")
    verb = "Restored" if action == "restore" else "Moved to the trash"
    if result.done:
        messages.success(request, f"{verb}: {result.done} generation(s).")
    for line in (result.refused or [])[:10]:
        messages.error(request, line)
    return _back_to(request, fallback)
