"""Share links: members make and revoke them; anyone holding one watches and comments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.contract.parsing import parse_int, parse_uuid
from studio.generations.models import Generation, Output
from studio.generations.views import stored_file_response
from studio.http import AuthedRequest
from studio.review import services
from studio.review.models import ShareLink
from studio.review.share import (
    DEFAULT_DAYS,
    ShareGone,
    create_share,
    revoke,
    share_for_token,
    shared_files,
    shared_generations,
    token_for,
)
from studio.review.views.actions import comment_added, comment_fields
from studio.review.views.generation import generation_context
from studio.teams.access import require_membership

GUEST_KEY = "studio_share_guest_name"


@login_required
def shares(request: AuthedRequest) -> HttpResponse:
    membership = require_membership(request, "compose")
    if request.method == "POST":
        parsed = [parse_uuid(v) for v in request.POST.getlist("g")]
        ids = [i for i in parsed if i is not None]
        if len(ids) != len(parsed):
            raise Http404("No such generation")
        # Not a whole number: 0, which create_share reports with the allowed range.
        days = parse_int(request.POST.get("days") or str(DEFAULT_DAYS)) or 0
        try:
            share = create_share(
                membership.team,
                ids,
                by=request.user,
                days=days,
                label=request.POST.get("label", ""),
                allow_comments=request.POST.get("allow_comments", "on") == "on",
                allow_downloads=request.POST.get("downloads") == "on",
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("review:shares")
        messages.success(request, "Share link created. Copy it below and send it.")
        return redirect(f"{reverse('review:shares')}#share-{share.pk}")
    links = (
        ShareLink.objects.filter(team=membership.team)
        .select_related("created_by", "revoked_by")
        .prefetch_related("generations")
    )
    rows = [
        {
            "share": s,
            "url": request.build_absolute_uri(reverse("review:shared", args=[token_for(s)])),
        }
        for s in links
    ]
    return render(request, "review/shares.html", {"rows": rows})


@login_required
@require_POST
def share_revoke(request: AuthedRequest, share_id: int) -> HttpResponse:
    membership = require_membership(request, "compose")
    share = ShareLink.objects.filter(pk=share_id, team=membership.team).first()
    if share is None:
        raise Http404("No such link")
    revoke(share, request.user)
    messages.success(request, "The link no longer works.")
    return redirect("review:shares")


def _open(request: HttpRequest, token: str) -> ShareLink | HttpResponse:
    try:
        return share_for_token(token)
    except ShareGone as gone:
        return render(request, "review/share_gone.html", {"reason": gone.reason}, status=410)


def _shared_generation(share: ShareLink, generation_id: uuid.UUID) -> Generation:
    generation = shared_generations(share).filter(pk=generation_id).select_related("team").first()
    if generation is None:
        raise Http404("No such generation")
    return generation


@dataclass(frozen=True)
class SharedCard:
    """A generation on a share's list, with the poster the share exposes (if any)."""

    generation: Generation
    poster: Output | None


def shared(request: HttpRequest, token: str) -> HttpResponse:
    share = _open(request, token)
    if isinstance(share, HttpResponse):
        return share
    items = list(shared_generations(share).prefetch_related("outputs").order_by("created_at", "id"))
    if not items:
        reason = "The team that shared this link has moved what it shared to the trash."
        return render(request, "review/share_gone.html", {"reason": reason}, status=410)
    if len(items) == 1:
        return redirect("review:shared_item", token=token, generation_id=items[0].id)
    cards = [SharedCard(item, shared_files(share, item).poster) for item in items]
    return render(
        request, "review/shared_list.html", {"share": share, "token": token, "items": cards}
    )


def shared_item(request: HttpRequest, token: str, generation_id: uuid.UUID) -> HttpResponse:
    share = _open(request, token)
    if isinstance(share, HttpResponse):
        return share
    generation = _shared_generation(share, generation_id)
    context = generation_context(generation)
    # The page links only what the share exposes; the file view serves exactly these.
    files = shared_files(share, generation, context.pop("outputs"))
    context.update(
        {
            "player": files.player,
            "poster": files.poster,
            "downloads": files.downloads,
            "share": share,
            "token": token,
            "can_draw": share.allow_comments,
            "guest_name": request.session.get(GUEST_KEY, ""),
            "many": shared_generations(share).count() > 1,
        }
    )
    return render(request, "review/shared_item.html", context)


@require_POST
def shared_comment(request: HttpRequest, token: str, generation_id: uuid.UUID) -> HttpResponse:
    share = _open(request, token)
    if isinstance(share, HttpResponse):
        return share
    generation = _shared_generation(share, generation_id)
    back = reverse("review:shared_item", args=[token, generation.id])
    if not share.allow_comments:
        messages.error(request, "Comments are turned off for this link.")
        return redirect(back)
    name = request.POST.get("name", "").strip()
    try:
        created = services.add_comment(
            generation,
            request.POST.get("body", ""),
            guest_name=name,
            share_link=share,
            **comment_fields(request.POST),
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    request.session[GUEST_KEY] = name[:60]
    comment_added(request, created)
    return redirect(f"{back}#comment-{created.pk}")


def shared_file(request: HttpRequest, token: str, output_id: int) -> HttpResponseBase:
    """A file the share's pages link, and no other (`shared_files`)."""
    share = _open(request, token)
    if isinstance(share, HttpResponse):
        return share
    output = (
        Output.objects.filter(
            pk=output_id,
            generation__share_links=share,
            generation__in=shared_generations(share),
        )
        .select_related("generation")
        .first()
    )
    if output is None or not output.file.name:
        raise Http404("No such file")
    if not shared_files(share, output.generation).serves(output):
        raise Http404("No such file")
    return stored_file_response(request, output.file.name)
