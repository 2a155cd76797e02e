from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from studio.contract import FPS
from studio.contract.parsing import parse_uuid
from studio.generations.access import get_generation_for
from studio.generations.models import Generation
from studio.generations.progress import failure_advice, progress_of
from studio.generations.stacks import last_two
from studio.generations.trash import may_trash
from studio.review import page
from studio.review import stacks as stack_views
from studio.review.batches import MAX_COMPARE, siblings
from studio.review.drawing import palette
from studio.review.lineage import extend_chain, lineage_of
from studio.review.models import ApprovalEvent, Pick
from studio.review.share import DAY_CHOICES, DEFAULT_DAYS
from studio.teams.access import require_membership


def generation_context(generation: Generation) -> dict[str, Any]:
    """What both the member page and the share page show of one generation."""
    outputs = page.outputs_by_kind(generation)
    roots = page.threads(generation)
    return {
        "generation": generation,
        "outputs": outputs,
        "player": page.player_for(generation, outputs),
        "threads": roots,
        "marks": page.marks(roots),
        "drawing_palette": palette(),
        "downloads": [outputs[k] for k in page.DOWNLOAD_KINDS if k in outputs],
    }


@login_required
def detail(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, membership = get_generation_for(request, generation_id)
    context = generation_context(generation)
    pick = Pick.objects.select_related("by").filter(generation=generation).first()
    context.update(
        {
            "membership": membership,
            "can": {a: membership.can(a) for a in ("comment", "approve", "pick", "compose")},
            # The player's range and drawing tools fill in the comment form.
            "can_draw": membership.can("comment"),
            # Owners may delete anyone's comment (review/_comments.html reads this).
            "can_delete_any": membership.can("manage"),
            "share_days": DAY_CHOICES,
            "share_default_days": DEFAULT_DAYS,
            "events": generation.events.all(),
            "parameters": page.flatten(generation.request),
            "inputs": page.input_assets(generation),
            "lineage": lineage_of(generation),
            "chain": extend_chain(generation),
            "approval_events": ApprovalEvent.objects.filter(generation=generation).select_related(
                "by"
            ),
            "approval_choices": generation.Approval.choices,
            "pick": pick,
            "actions": page.ACTION_LINKS,
            "handles": page.member_handles(generation.team_id),
            "failure_advice": failure_advice(generation.failure_code),
            # Only pages without a player show (and poll) the progress partial: its first
            # paint is the status JSON it polls.
            "progress": None if context["player"] else progress_of(generation),
        }
    )
    context["can_trash"] = may_trash(membership, generation)
    context["siblings"] = siblings(generation)
    context["switcher"] = stack_views.switcher(generation)
    context["team_stacks"] = (
        stack_views.team_stacks(membership.team) if membership.can("pick") else []
    )
    return render(request, "review/generation.html", context)


@login_required
def chain(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    """The extend chain through a generation, played in order."""
    generation, _membership = get_generation_for(request, generation_id)
    clips = []
    for item in extend_chain(generation):
        outputs = page.outputs_by_kind(item)
        player = page.player_for(item, outputs)
        if player is not None:
            clips.append({"generation": item, "player": player})
    return render(request, "review/chain.html", {"generation": generation, "clips": clips})


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Two to four takes side by side, played together, with their parameters diffed."""
    membership = require_membership(request, "view")
    raw = request.GET.getlist("g")
    if not raw and "stack" in request.GET:
        # A stack opens on its last two versions.
        stack = stack_views.get_stack_for(membership.team, request.GET["stack"])
        raw = [str(v.id) for v in last_two(stack)]
    ids: list[uuid.UUID] = []
    for value in raw:
        ident = parse_uuid(value)
        if ident is None:
            raise Http404("No such generation")
        if ident not in ids:
            ids.append(ident)
    error = ""
    if not 2 <= len(ids) <= MAX_COMPARE:
        error = f"Choose between 2 and {MAX_COMPARE} takes to compare (tick them in the gallery)."
    found = {
        g.id: g
        for g in Generation.objects.live()
        .filter(team=membership.team, id__in=ids)
        .select_related("author")
        .prefetch_related("outputs")
    }
    if len(found) != len(ids):
        raise Http404("No such generation")
    takes = []
    for ident in ids:
        generation = found[ident]
        outputs = page.outputs_by_kind(generation)
        takes.append({"generation": generation, "player": page.player_for(generation, outputs)})
    rows = _diff([dict(page.flatten(found[i].request)) for i in ids])
    return render(
        request,
        "review/compare.html",
        {"takes": [] if error else takes, "rows": rows, "error": error, "fps": FPS},
    )


def _diff(params: list[dict[str, str]]) -> list[dict[str, Any]]:
    keys: list[str] = []
    for p in params:
        keys.extend(k for k in p if k not in keys)
    rows = []
    for key in keys:
        values = [p.get(key, "—") for p in params]
        rows.append({"key": key, "values": values, "differs": len(set(values)) > 1})
    # Differences first: they are what a reviewer compares takes for.
    rows.sort(key=lambda r: not r["differs"])
    return rows
