"""The writes of team review, each in one transaction with its denormalised copy on the row."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from studio.contract.parsing import MAX_FRAME, parse_id
from studio.generations.models import Generation
from studio.review import signals
from studio.review.drawing import DrawingError, clean_drawing
from studio.review.models import RANGE_ORDER, ApprovalEvent, Comment, Mention, Pick, ShareLink
from studio.teams.models import Membership

MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9][\w.+-]*)")
MAX_COMMENT = 4000


class ReviewError(ValueError):
    """A review action that cannot be done, with a message for the person."""


def handle_of(user: User) -> str:
    """The @handle of a member: the part of their email before the @."""
    return user.email.split("@", 1)[0].lower()


def team_handles(team_id: int) -> dict[str, User]:
    members = Membership.objects.filter(team_id=team_id).select_related("user")
    return {handle_of(m.user): m.user for m in members}


def mentioned_users(body: str, handles: dict[str, User]) -> list[User]:
    found: dict[int, User] = {}
    for match in MENTION_RE.finditer(body):
        user = handles.get(match.group(1).rstrip(".").lower())
        if user is not None:
            found[user.pk] = user
    return list(found.values())


def render_body(body: str, handles: set[str]) -> SafeString:
    """The comment text, escaped, with mentions of real members highlighted."""
    out: list[str] = []
    last = 0
    for match in MENTION_RE.finditer(body):
        handle = match.group(1).rstrip(".")
        if handle.lower() not in handles:
            continue
        out.append(escape(body[last : match.start()]))
        out.append(f'<mark class="mention">@{escape(handle)}</mark>')
        last = match.start() + 1 + len(handle)
    out.append(escape(body[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ReviewError("Write something first.")
    if len(body) > MAX_COMMENT:
        raise ReviewError(f"A comment can be at most {MAX_COMMENT} characters.")
    return body


def _clean_frame(generation: Generation, frame: int | None) -> int | None:
    if frame is None:
        return None
    if frame < 0:
        raise ReviewError("The frame must be 0 or more.")
    last = last_frame(generation)
    if last is not None and frame > last:
        raise ReviewError(f"This clip has frames 0 to {last}.")
    if frame > MAX_FRAME:
        # Past any clip and past the column, even while the clip's length is unknown.
        raise ReviewError("That frame is past the end of the clip.")
    return frame


def _clean_range(generation: Generation, frame: int | None, end_frame: int | None) -> int | None:
    """The range's last frame (None for a single frame): after `frame`, within the clip."""
    if end_frame is None:
        return None
    if frame is None:
        raise ReviewError("A range needs its first frame too.")
    end_frame = _clean_frame(generation, end_frame)
    if end_frame is not None and end_frame <= frame:
        raise ReviewError(RANGE_ORDER)
    return end_frame


def last_frame(generation: Generation) -> int | None:
    """The last frame index of the playable video, when it is known."""
    for output in generation.outputs.all():
        if output.kind in ("video", "preview") and output.frames:
            return output.frames - 1
    return None


@transaction.atomic
def add_comment(
    generation: Generation,
    body: str,
    *,
    frame: int | None,
    author: User | None = None,
    guest_name: str = "",
    share_link: ShareLink | None = None,
    parent_id: int | None = None,
    end_frame: int | None = None,
    drawing: object = None,
) -> Comment:
    """Every new comment, reply or note from the API comes through here.

    A range covers ``frame`` to ``end_frame`` (both shown); a drawing is checked by the one
    schema in `studio.review.drawing` and needs a frame to sit on. A reply joins its
    thread's frame and range.
    """
    body = _clean_body(body)
    try:
        drawing = clean_drawing(drawing)
    except DrawingError as exc:
        raise ReviewError(str(exc)) from None
    guest_name = (guest_name or "").strip()[:60]
    if author is None and not guest_name:
        raise ReviewError("Give your name so the team knows who wrote this.")
    parent = None
    if parent_id is not None:
        if parse_id(parent_id) is None:
            raise ReviewError("The comment you reply to no longer exists.")
        # Locked so a concurrent delete of the thread's last reply cannot remove the thread
        # under this new reply (both lock the thread's head first).
        parent = (
            Comment.objects.select_for_update().filter(pk=parent_id, generation=generation).first()
        )
        if parent is None:
            raise ReviewError("The comment you reply to no longer exists.")
        # One level of threads: a reply to a reply joins the same thread.
        if parent.parent_id is not None:
            parent = Comment.objects.select_for_update().get(pk=parent.parent_id)
        frame, end_frame = parent.frame, parent.end_frame
    else:
        frame = _clean_frame(generation, frame)
        end_frame = _clean_range(generation, frame, end_frame)
    if drawing is not None and frame is None:
        raise ReviewError("A drawing sits on a frame: give the frame.")
    comment = Comment.objects.create(
        generation=generation,
        parent=parent,
        author=author,
        guest_name="" if author is not None else guest_name,
        share_link=share_link,
        frame=frame,
        end_frame=end_frame,
        body=body,
        drawing=drawing,
    )
    users = mentioned_users(body, team_handles(generation.team_id))
    Mention.objects.bulk_create([Mention(comment=comment, user=u) for u in users])
    signals.comment_saved.send(Comment, comment=comment)
    Generation.objects.filter(pk=generation.pk).update(comment_count=F("comment_count") + 1)
    return comment


@transaction.atomic
def delete_comment(generation: Generation, comment_id: int, by: User) -> Comment:
    """Delete a comment; one that heads replies stays as "[deleted]" so its thread stays.

    Returns the comment (its ``pk`` is None when the row was removed). Whether `by` may
    delete it is the caller's decision; this keeps `Generation.comment_count` in step.
    """
    row = (
        Comment.objects.filter(pk=comment_id, generation=generation, deleted_at__isnull=True)
        .values("parent_id")
        .first()
    )
    if row is None:
        raise ReviewError("This comment was already deleted.")
    # Lock the thread's head, then the comment: the same order as a reply's, so a reply
    # cannot land under a head that is being removed.
    head = Comment.objects.select_for_update().filter(pk=row["parent_id"] or comment_id).first()
    comment = (
        Comment.objects.select_for_update()
        .filter(pk=comment_id, generation=generation, deleted_at__isnull=True)
        .first()
    )
    if head is None or comment is None:
        raise ReviewError("This comment was already deleted.")
    if comment.parent_id is None and comment.replies.exists():
        comment.body = ""
        comment.drawing = None
        comment.deleted_at = timezone.now()
        comment.deleted_by = by
        comment.save(update_fields=["body", "drawing", "deleted_at", "deleted_by"])
        Mention.objects.filter(comment=comment).delete()
    else:
        comment.delete()
        if head.pk != comment_id and head.is_deleted and not head.replies.exists():
            # The last reply under a "[deleted]" head: nothing is left to keep it for.
            head.delete()
    # Never below zero: a count seeded out of step must not make a delete fail.
    Generation.objects.filter(pk=generation.pk).update(
        comment_count=Greatest(F("comment_count") - 1, 0)
    )
    return comment


@transaction.atomic
def set_resolved(comment: Comment, resolved: bool, by: User) -> Comment:
    if comment.parent_id is not None:
        raise ReviewError("Resolve the thread, not a reply.")
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


@transaction.atomic
def set_approval(generation: Generation, state: str, by: User, note: str = "") -> ApprovalEvent:
    if state not in Generation.Approval.values:
        raise ReviewError("Choose pending, approved, changes requested or rejected.")
    event = ApprovalEvent.objects.create(
        generation=generation, state=state, by=by, note=(note or "").strip()[:500]
    )
    signals.approval_changed.send(ApprovalEvent, event=event)
    Generation.objects.filter(pk=generation.pk).update(approval=state)
    generation.approval = state
    return event


@transaction.atomic
def set_picked(generation: Generation, picked: bool, by: User) -> None:
    if picked:
        Pick.objects.get_or_create(generation=generation, defaults={"by": by})
    else:
        Pick.objects.filter(generation=generation).delete()
    Generation.objects.filter(pk=generation.pk).update(picked=picked)
    generation.picked = picked
