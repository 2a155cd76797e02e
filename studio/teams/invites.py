"""Joining a team through an invite link: the one place where a use is counted."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from studio.teams.models import Invite, InviteUse, Membership


class InviteGone(Exception):
    """The link stopped working (revoked, expired, used up) before the person joined."""

    def __init__(self, invite: Invite) -> None:
        super().__init__(invite.gone_reason())
        self.invite = invite


@transaction.atomic
def accept(invite: Invite, user: User) -> tuple[Membership, bool]:
    """Add `user` to the invite's team with its role; `(membership, joined now)`.

    Someone already in the team keeps their role, and uses nothing of the link. The
    invite's row is locked, so two people opening a link with one use left cannot both
    join.
    """
    locked = Invite.objects.select_for_update().get(pk=invite.pk)
    existing = Membership.objects.filter(team_id=locked.team_id, user=user).first()
    if existing is not None:
        return existing, False
    if not locked.is_usable():
        raise InviteGone(locked)
    membership = Membership.objects.create(team_id=locked.team_id, user=user, role=locked.role)
    InviteUse.objects.create(invite=locked, user=user)
    Invite.objects.filter(pk=locked.pk).update(used=F("used") + 1)
    return membership, True
