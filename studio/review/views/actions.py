"""The review writes of members: comments, resolve/reopen, approval and picks."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.contract.parsing import MAX_ID, parse_int
from studio.generations.access import get_generation_for
from studio.http import AuthedRequest
from studio.review import services
from studio.review.drawing import DrawingError, drawing_from_text
from studio.review.models import Comment


def _int_or_none(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    number = parse_int(raw.strip(), -MAX_ID, MAX_ID)
    if number is None:
        raise services.ReviewError("The frame must be a whole number.")
    return number


def comment_fields(post: QueryDict) -> dict[str, Any]:
    """A comment form's frame, range, drawing and thread, for `services.add_comment`.

    The member page and the share page post the same form; ReviewError for a bad value.
    """
    pinned = post.get("pin") != "off"
    try:
        drawing = drawing_from_text(post.get("drawing"))
    except DrawingError as exc:
        raise services.ReviewError(str(exc)) from None
    return {
        "parent_id": _int_or_none(post.get("parent")),
        "frame": _int_or_none(post.get("frame")) if pinned else None,
        "end_frame": _int_or_none(post.get("end_frame")) if pinned else None,
        "drawing": drawing,
    }


def _back(generation_id: uuid.UUID, anchor: str = "") -> HttpResponse:
    url = reverse("review:generation", args=[generation_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def comment_added(request: HttpRequest, created: Any) -> None:
    """Say the comment landed: the page comes back scrolled to it, and a screen reader
    hears this message (the base template's live region reads it out)."""
    where = "" if created.frame is None else f" at frame {created.frame}"
    if created.end_frame is not None:
        where = f" on frames {created.frame}–{created.end_frame}"
    messages.success(request, f"Comment added{where}.")


@login_required
@require_POST
def comment(request: AuthedRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, _m = get_generation_for(request, generation_id, "comment")
    try:
        created = services.add_comment(
            generation,
            request.POST.get("body", ""),
            author=request.user,
            **comment_fields(request.POST),
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return _back(generation.id, "comments")
    comment_added(request, created)
    return _back(generation.id, f"comment-{created.pk}")


@login_required
@require_POST
def resolve(request: AuthedRequest, generation_id: uuid.UUID, comment_id: int) -> HttpResponse:
    generation, _m = get_generation_for(request, generation_id, "comment")
    target = Comment.objects.filter(pk=comment_id, generation=generation).first()
    if target is None:
        raise Http404("No such comment")
    try:
        services.set_resolved(target, request.POST.get("resolved") != "no", request.user)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return _back(generation.id, f"comment-{target.pk}")


@login_required
@require_POST
def delete_comment(
    request: AuthedRequest, generation_id: uuid.UUID, comment_id: int
) -> HttpResponse:
    """The author deletes their own comment; an owner deletes anyone's (guests' too)."""
    generation, membership = get_generation_for(request, generation_id, "view")
    target = Comment.objects.filter(
        pk=comment_id, generation=generation, deleted_at__isnull=True
    ).first()
    if target is None:
        raise Http404("No such comment")
    if target.author_id != request.user.pk and not membership.can("manage"):
        raise PermissionDenied("Only its author or a team owner can delete a comment.")
    try:
        gone = services.delete_comment(generation, target.pk, request.user)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return _back(generation.id, "comments")
    messages.success(request, "Comment deleted.")
    if gone.pk is not None:
        return _back(generation.id, f"comment-{gone.pk}")
    if gone.parent_id is not None and Comment.objects.filter(pk=gone.parent_id).exists():
        return _back(generation.id, f"comment-{gone.parent_id}")
    return _back(generation.id, "comments")


@login_required
@require_POST
def approval(request: AuthedRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, _m = get_generation_for(request, generation_id, "approve")
    try:
        event = services.set_approval(
            generation, request.POST.get("state", ""), request.user, request.POST.get("note", "")
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked {event.get_state_display().lower()}.")
    return _back(generation.id, "review")


@login_required
@require_POST
def pick(request: AuthedRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, _m = get_generation_for(request, generation_id, "pick")
    picked = request.POST.get("picked") != "no"
    services.set_picked(generation, picked, request.user)
    messages.success(request, "Added to picks." if picked else "Removed from picks.")
    return _back(generation.id, "review")
