"""Notifications: what happened that a person cares about, how they want to hear of it, and
every email sent about it.

A `Notification` is the inbox row. An email (right away or in the day's digest) is a
`Delivery`, claimed by one worker with a conditional UPDATE and recorded once it is sent,
so that nothing is mailed twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.generations.models import Batch, Generation
from studio.review.models import Comment
from studio.teams.models import Team


class Kind(models.TextChoices):
    MENTION = "mention", "Someone mentions you"
    REPLY = "reply", "A reply to your comment"
    COMMENT = "comment", "A comment on your generation"
    APPROVAL = "approval", "An approval change on your generation"
    COMPLETED = "completed", "Your generation or batch completed"
    FAILED = "failed", "Your generation or batch failed"


class Channel(models.TextChoices):
    OFF = "off", "Off"
    APP = "app", "In the studio only"
    EMAIL = "email", "In the studio and by email"
    DIGEST = "digest", "In the studio and in a daily email digest"


# What a person gets before they choose: email for what waits on them, the inbox for the rest.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.MENTION: Channel.EMAIL,
    Kind.REPLY: Channel.EMAIL,
    Kind.COMMENT: Channel.APP,
    Kind.APPROVAL: Channel.APP,
    Kind.COMPLETED: Channel.APP,
    Kind.FAILED: Channel.EMAIL,
}


class Preference(models.Model):
    """How one person wants to hear of one kind of notification (no row: the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_pref_per_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="pref_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="pref_channel_valid"
            ),
        ]


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What the event was about, once per recipient: "comment:12", "generation:<uuid>",
    # "batch:7", "approval:40". A comment that is saved again (edited) finds its key taken,
    # so nobody hears of it twice, under whichever kind came first.
    key = models.CharField(max_length=80)
    # The channel chosen when it happened (app, email or digest); `off` is never stored.
    channel = models.CharField(max_length=8, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    generation = models.ForeignKey(
        Generation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The digest email that carried it (channel `digest` only).
    digest = models.ForeignKey(
        "Delivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notif_unread"),
            models.Index(fields=["channel", "digest"], name="notif_digest_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_event"),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="notif_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=[Channel.APP, Channel.EMAIL, Channel.DIGEST]),
                name="notif_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One email: a notification's own, or a person's digest of one day.

    Claimed by a worker with a conditional UPDATE (`claimed_at IS NULL`) before it is sent
    and marked sent after; a claim is never taken back by itself, so a worker that dies
    mid-send leaves the row claimed rather than risk mailing it a second time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Exactly one of: the notification it mails, or the day whose digest it is.
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="delivery"
    )
    digest_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "digest_date"], name="one_digest_per_day"),
            models.CheckConstraint(
                condition=models.Q(notification__isnull=False, digest_date__isnull=True)
                | models.Q(notification__isnull=True, digest_date__isnull=False),
                name="delivery_is_one_email",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        what = f"digest of {self.digest_date}" if self.digest_date else f"{self.notification_id}"
        return f"Delivery {self.pk} ({what}) to {self.recipient_id}"
