"""Team review: comments pinned to frames, approval history, picks and share links.

The gallery reads `Generation.comment_count`, `approval` and `picked` from the row itself;
the services in this app keep them in step with the rows here, in one transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from studio.generations.models import Generation
from studio.teams.models import Team


class ShareLink(models.Model):
    """A read-only link to one generation or a selection, for people outside the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="share_links")
    # The random part of the signed token; the row decides expiry and revocation.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    label = models.CharField(max_length=120, blank=True)
    generations = models.ManyToManyField(Generation, related_name="share_links")
    allow_comments = models.BooleanField(default=True)
    # The originals (master MP4, EXR zip) too, not only what the player plays.
    allow_downloads = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"Share {self.key}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired


RANGE_ORDER = "A range ends after the frame it starts at."


class Comment(models.Model):
    """A remark on a generation, pinned to a frame; replies hang under a top-level comment."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # A member, or a guest who came through a share link and gave a display name.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    guest_name = models.CharField(max_length=60, blank=True)
    share_link = models.ForeignKey(
        ShareLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    frame = models.PositiveIntegerField(null=True, blank=True)  # 0-based, at 24 fps
    # A range comment covers frame..end_frame, both included; None for a single frame.
    end_frame = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField(max_length=4000)
    # Vector shapes drawn on the frame, in frame-relative coordinates (0..1); the one
    # schema that accepts them is studio.review.drawing.Drawing.
    drawing = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A deleted comment that still heads replies stays as "[deleted]" so its thread keeps
    # its place; its text is gone.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["generation", "created_at"], name="comment_gen_time")]
        constraints = [
            # Someone wrote it: a member or a named guest.
            models.CheckConstraint(
                condition=models.Q(author__isnull=False) | ~models.Q(guest_name=""),
                name="comment_has_author",
            ),
            # A range starts at its frame and ends after it.
            models.CheckConstraint(
                condition=models.Q(end_frame__isnull=True)
                | models.Q(frame__isnull=False, end_frame__gt=models.F("frame")),
                name="comment_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.generation_id}"

    def clean(self) -> None:
        if self.end_frame is not None and (self.frame is None or self.end_frame <= self.frame):
            raise ValidationError({"end_frame": RANGE_ORDER})

    @property
    def display_name(self) -> str:
        if self.is_deleted:
            return "[deleted]"
        if self.author is not None:
            return self.author.get_full_name() or self.author.email
        return f"{self.guest_name} (guest)"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Mention(models.Model):
    """A team member named with @handle in a comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_mentions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_mention_per_comment"),
        ]


class ApprovalEvent(models.Model):
    """One change of a generation's approval state; the latest is on `Generation.approval`."""

    generation = models.ForeignKey(
        Generation, on_delete=models.CASCADE, related_name="approval_events"
    )
    state = models.CharField(max_length=20, choices=Generation.Approval.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in Generation.Approval]),
                name="approval_event_state_valid",
            ),
        ]


class Pick(models.Model):
    """Who shortlisted a generation and when; `Generation.picked` mirrors its existence."""

    generation = models.OneToOneField(Generation, on_delete=models.CASCADE, related_name="pick")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
