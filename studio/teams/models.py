"""Teams (workspaces), their members and roles.

Everything a person sees in the studio belongs to a team; a person sees only the teams
they are a member of.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"  # members, budget, API settings, and all an editor does
    EDITOR = "editor", "Editor"  # compose (spends), review
    REVIEWER = "reviewer", "Reviewer"  # watch, comment, approve; cannot spend
    VIEWER = "viewer", "Viewer"  # watch only


# What each role may do, in one place; views ask `membership.can(...)`.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"view", "comment", "approve", "pick", "compose", "manage"}),
    Role.EDITOR: frozenset({"view", "comment", "approve", "pick", "compose"}),
    Role.REVIEWER: frozenset({"view", "comment", "approve"}),
    Role.VIEWER: frozenset({"view"}),
}


# The longest a retention rule may wait, in days (about ten years).
MAX_RETENTION_DAYS = 3650


class Team(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Optional monthly spending cap in USD, checked before every submit.
    monthly_budget = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Optional per-team generation API (owners' "API settings"); empty = the studio's default.
    api_base_url = models.CharField(max_length=300, blank=True)
    api_key = models.CharField(max_length=300, blank=True)
    # Limits of the team's own API key (empty: LUMA_MAX_CONCURRENT / LUMA_MAX_RPM).
    api_max_concurrent = models.PositiveIntegerField(null=True, blank=True)
    api_max_rpm = models.PositiveIntegerField(null=True, blank=True)
    # An owner can hold the team's send queue; nothing waiting is sent while it is.
    queue_paused = models.BooleanField(default=False)
    # Optional storage quota in bytes: new submits are refused while the team is over it.
    storage_quota_bytes = models.BigIntegerField(null=True, blank=True)
    # Retention rules (empty: off): after this many days (at most MAX_RETENTION_DAYS),
    # failed/refused/dropped ones, and ones never approved nor picked, go to the trash
    # (``studio.generations.retention``).
    retention_failed_days = models.PositiveSmallIntegerField(null=True, blank=True)
    retention_unapproved_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(storage_quota_bytes__isnull=True)
                | models.Q(storage_quota_bytes__gte=0),
                name="team_storage_quota_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_budget__isnull=True)
                | models.Q(monthly_budget__gte=Decimal("0")),
                name="team_budget_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    # Optional monthly cap for this member's own spend in the team.
    monthly_budget = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Stable opaque id sent to the generation API as `user_id` (usage attribution).
    api_user_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def can(self, action: str) -> bool:
        return action in PERMISSIONS[self.role]


def _invite_token() -> str:
    return secrets.token_urlsafe(24)


# How many people one invite link may bring in, at most (an owner's link: always one).
MAX_INVITE_USES = 50
OWNER_INVITE_SINGLE_USE = "An owner's invite link works only once."


class InviteQuerySet(models.QuerySet["Invite"]):
    def usable(self) -> InviteQuerySet:
        """The links that still work: `Invite.gone_reason()` as a query."""
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now(), used__lt=models.F("max_uses")
        )


class Invite(models.Model):
    """A link that adds whoever opens it (signed in) to a team with a role.

    It works until it expires, is revoked, or has brought in `max_uses` people; each of
    them is recorded as an InviteUse (studio/teams/invites.py).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    token = models.CharField(max_length=64, unique=True, default=_invite_token)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveSmallIntegerField(default=1)
    # The number of InviteUse rows, kept with them under the invite's row lock so the
    # limit holds however many people open the link at once.
    used = models.PositiveSmallIntegerField(default=0)

    objects = InviteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__gte=1, max_uses__lte=MAX_INVITE_USES),
                name="invite_max_uses_in_range",
            ),
            # Whoever holds an owner's link holds the team: it must not be passed around.
            models.CheckConstraint(
                condition=~models.Q(role=Role.OWNER) | models.Q(max_uses=1),
                name="owner_invite_single_use",
            ),
            models.CheckConstraint(
                condition=models.Q(used__lte=models.F("max_uses")), name="invite_used_within_max"
            ),
        ]

    def clean(self) -> None:
        if not 1 <= self.max_uses <= MAX_INVITE_USES:
            raise ValidationError(
                {"max_uses": f"An invite link works between 1 and {MAX_INVITE_USES} times."}
            )
        if self.role == Role.OWNER and self.max_uses != 1:
            raise ValidationError({"max_uses": OWNER_INVITE_SINGLE_USE})

    @property
    def uses_left(self) -> int:
        return max(0, self.max_uses - self.used)

    def gone_reason(self) -> str:
        """Why the link no longer works; empty while it does (`Invite.objects.usable()`)."""
        if self.revoked_at is not None:
            return "It was revoked."
        if self.used >= self.max_uses:
            return "It has been used." if self.max_uses == 1 else "It has been used up."
        if self.expires_at <= timezone.now():
            return "It has expired."
        return ""

    def is_usable(self) -> bool:
        return not self.gone_reason()


class InviteUse(models.Model):
    """Who joined a team through an invite link, and when."""

    invite = models.ForeignKey(Invite, on_delete=models.CASCADE, related_name="uses")
    # Kept when the account is deleted: the link was still used.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["used_at", "id"]
