"""Making notifications: who hears of an event, under which kind, through which channel.

The places where things happen call the functions at the bottom (a comment saved, an
approval changed, a generation ended). Each recipient gets at most one notification per
event (a unique key), only while they are in the generation's team, and never for what
they did themselves. Nothing is sent here: an email becomes a `Delivery` that the
`notify` worker sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse

from studio.generations.models import Batch, Generation, GenerationState
from studio.notifications.models import (
    DEFAULT_CHANNELS,
    Channel,
    Delivery,
    Kind,
    Notification,
    Preference,
)
from studio.review.models import ApprovalEvent, Comment
from studio.teams.models import Membership

EXCERPT = 280
# What a take that ended by itself can end as; cancelled and dropped are a person's choice.
OUTCOMES = (GenerationState.COMPLETED, GenerationState.FAILED, GenerationState.REFUSED)


def channels_for(user_id: int) -> dict[str, str]:
    """Every kind's channel for one person: their choice, or the default."""
    chosen = dict(Preference.objects.filter(user_id=user_id).values_list("kind", "channel"))
    return {kind.value: chosen.get(kind.value, DEFAULT_CHANNELS[kind]) for kind in Kind}


def save_channels(user_id: int, channels: dict[str, str]) -> None:
    for kind, channel in channels.items():
        Preference.objects.update_or_create(
            user_id=user_id, kind=kind, defaults={"channel": channel}
        )


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notify(
    recipient_id: int,
    kinds: Iterable[str],
    *,
    key: str,
    team_id: int,
    title: str,
    url: str,
    body: str = "",
    actor: User | None = None,
    **about: Any,
) -> Notification | None:
    """One notification of the first of `kinds` the person has not turned off.

    None when they turned them all off, or already heard of this event (`key`).
    """
    channels = channels_for(recipient_id)
    kind = next((k for k in kinds if channels[k] != Channel.OFF), None)
    if kind is None:
        return None
    if Notification.objects.filter(recipient_id=recipient_id, key=key).exists():
        return None
    try:
        # A savepoint: losing the race for the key must not spoil the caller's transaction.
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient_id=recipient_id,
                team_id=team_id,
                kind=kind,
                key=key,
                channel=channels[kind],
                actor=actor,
                title=title[:200],
                body=body,
                url=url,
                **about,
            )
            if notification.channel == Channel.EMAIL:
                Delivery.objects.create(recipient_id=recipient_id, notification=notification)
    except IntegrityError:
        return None
    return notification


def _members(team_id: int, user_ids: Iterable[int | None]) -> set[int]:
    wanted = {u for u in user_ids if u is not None}
    return set(
        Membership.objects.filter(team_id=team_id, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )


def _name(user: User | None) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.email


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _prompt(generation: Generation) -> str:
    return _excerpt(generation.prompt)[:80]


def generation_url(generation_id: object) -> str:
    return reverse("review:generation", args=[generation_id])


# --- Events ------------------------------------------------------------------------------


def comment_saved(comment: Comment) -> list[Notification]:
    """A comment was written (or saved again): its mentions, the reply, the comment.

    Each person hears of a comment once, under the first kind that applies to them and
    that they have not turned off: a mention, then a reply, then a comment on their own
    generation. Saving it again reaches only people it now mentions for the first time.
    """
    if comment.is_deleted:
        return []
    generation = comment.generation
    actor = comment.author
    who = _name(actor) if actor is not None else f"{comment.guest_name} (guest)"
    kinds: dict[int, list[str]] = {}
    for user_id in comment.mentions.values_list("user_id", flat=True):
        kinds.setdefault(user_id, []).append(Kind.MENTION)
    if comment.parent_id is not None:
        parent_author = (
            Comment.objects.filter(pk=comment.parent_id).values_list("author_id", flat=True).first()
        )
        if parent_author is not None:
            kinds.setdefault(parent_author, []).append(Kind.REPLY)
    kinds.setdefault(generation.author_id, []).append(Kind.COMMENT)
    if comment.author_id is not None:
        kinds.pop(comment.author_id, None)
    titles: dict[str, str] = {
        Kind.MENTION: f"{who} mentioned you on “{_prompt(generation)}”",
        Kind.REPLY: f"{who} replied to your comment on “{_prompt(generation)}”",
        Kind.COMMENT: f"{who} commented on your generation “{_prompt(generation)}”",
    }
    url = f"{generation_url(generation.id)}#comment-{comment.pk}"
    made = []
    for user_id in sorted(_members(generation.team_id, kinds)):
        channels = channels_for(user_id)
        first = next((k for k in kinds[user_id] if channels[k] != Channel.OFF), kinds[user_id][0])
        made.append(
            notify(
                user_id,
                kinds[user_id],
                key=f"comment:{comment.pk}",
                team_id=generation.team_id,
                title=titles[first],
                body=_excerpt(comment.body),
                url=url,
                actor=actor,
                generation=generation,
                comment=comment,
            )
        )
    return [n for n in made if n is not None]


def approval_changed(event: ApprovalEvent) -> Notification | None:
    generation = event.generation
    if event.by_id == generation.author_id or not _members(
        generation.team_id, [generation.author_id]
    ):
        return None
    state = Generation.Approval(event.state).label
    return notify(
        generation.author_id,
        [Kind.APPROVAL],
        key=f"approval:{event.pk}",
        team_id=generation.team_id,
        title=f"{_name(event.by)} set “{_prompt(generation)}” to {state}",
        body=_excerpt(event.note),
        url=generation_url(generation.id),
        actor=event.by,
        generation=generation,
    )


def has_ended(generation: Generation) -> bool:
    """Finished, and when completed, with its outputs kept (so the link plays)."""
    if generation.state == GenerationState.COMPLETED:
        return generation.outputs_ready
    return generation.state in Generation.FINISHED


def generation_ended(generation_id: uuid.UUID) -> Notification | None:
    """A generation finished: tell its author, or, for a take, when its whole batch has.

    Called once the change is committed, so of takes that end at the same moment the last
    to commit sees them all; the key keeps a batch to one notification all the same.
    """
    generation = Generation.objects.select_related("batch").filter(pk=generation_id).first()
    if generation is None or not has_ended(generation):
        return None
    if generation.batch is not None:  # selected with the generation: no query
        return _batch_ended(generation.batch)
    if generation.state not in OUTCOMES:
        return None
    if not _members(generation.team_id, [generation.author_id]):
        return None
    failed = generation.state != GenerationState.COMPLETED
    reason = generation.failure_reason or generation.error_detail or generation.failure_code
    return notify(
        generation.author_id,
        [Kind.FAILED if failed else Kind.COMPLETED],
        key=f"generation:{generation.pk}",
        team_id=generation.team_id,
        title=f"“{_prompt(generation)}” {'failed' if failed else 'completed'}",
        body=_excerpt(reason) if failed else "",
        url=generation_url(generation.id),
        generation=generation,
    )


def _batch_ended(batch: Batch) -> Notification | None:
    takes = list(Generation.objects.filter(batch=batch).order_by("take_index"))
    if not takes or not all(has_ended(t) for t in takes):
        return None
    completed = sum(t.state == GenerationState.COMPLETED for t in takes)
    failed = sum(t.state in (GenerationState.FAILED, GenerationState.REFUSED) for t in takes)
    if not completed and not failed:
        return None  # every take was cancelled or dropped by a person
    if not _members(batch.team_id, [batch.author_id]):
        return None
    parts = [f"{completed} completed"] + ([f"{failed} failed"] if failed else [])
    others = len(takes) - completed - failed
    if others:
        parts.append(f"{others} cancelled")
    return notify(
        batch.author_id,
        [Kind.FAILED if failed else Kind.COMPLETED],
        key=f"batch:{batch.pk}",
        team_id=batch.team_id,
        title=f"Your batch of {len(takes)} takes “{_prompt(takes[0])}” ended: {', '.join(parts)}",
        url=f"{reverse('review:gallery')}?batch={batch.pk}",
        batch=batch,
    )


def generation_ended_on_commit(generation_id: uuid.UUID) -> None:
    """`generation_ended` once the caller's transaction (if any) has committed.

    Robust: a notification that cannot be made is logged and never fails the sender's or
    the poller's work, which is already done.
    """
    transaction.on_commit(lambda: generation_ended(generation_id), robust=True)


# Receivers of the signals of studio.generations and studio.review (connected in apps.py).


def on_generation_ended(sender: object, *, generation_id: uuid.UUID, **kwargs: object) -> None:
    generation_ended_on_commit(generation_id)


def on_comment_saved(sender: object, *, comment: Comment, **kwargs: object) -> None:
    comment_saved(comment)


def on_approval_changed(sender: object, *, event: ApprovalEvent, **kwargs: object) -> None:
    approval_changed(event)
