"""Share links: a signed token naming a ShareLink row, which decides expiry and revocation."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from studio.generations.models import Generation
from studio.review.models import ShareLink
from studio.teams.models import Team

SALT = "studio.review.share"
MAX_DAYS = 90
# What the forms offer; the server accepts any whole number of days from 1 to MAX_DAYS.
DAY_CHOICES = (1, 7, 30, 90)
DEFAULT_DAYS = 7
MAX_ITEMS = 50


class ShareGone(Exception):
    """The link was real but is revoked or expired (answered with 410)."""

    def __init__(self, share: ShareLink, reason: str) -> None:
        super().__init__(reason)
        self.share = share
        self.reason = reason


def token_for(share: ShareLink) -> str:
    return signing.Signer(salt=SALT).sign(share.key.hex)


def share_for_token(token: str) -> ShareLink:
    """The usable share a token names; Http404 for a forged or unknown one, ShareGone else."""
    try:
        key = uuid.UUID(hex=signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404("No such link") from None
    share = ShareLink.objects.select_related("team").filter(key=key).first()
    if share is None:
        raise Http404("No such link")
    if share.is_revoked:
        raise ShareGone(share, "This link was revoked by the team that shared it.")
    if share.is_expired:
        raise ShareGone(share, "This link has expired.")
    return share


@transaction.atomic
def create_share(
    team: Team,
    generation_ids: list[uuid.UUID],
    *,
    by: AbstractBaseUser,
    days: int,
    label: str = "",
    allow_comments: bool = True,
) -> ShareLink:
    if not generation_ids:
        raise ValueError("Choose at least one generation to share.")
    if len(generation_ids) > MAX_ITEMS:
        raise ValueError(f"A link can share at most {MAX_ITEMS} generations.")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"A link lasts between 1 and {MAX_DAYS} days.")
    generations = list(Generation.objects.filter(team=team, id__in=set(generation_ids)))
    if len(generations) != len(set(generation_ids)):
        raise ValueError("Some of those generations are not in this team.")
    share = ShareLink.objects.create(
        team=team,
        label=label.strip()[:120],
        created_by=by,
        allow_comments=allow_comments,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    share.generations.set(generations)
    return share


def revoke(share: ShareLink, by: AbstractBaseUser) -> None:
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by = by
        share.save(update_fields=["revoked_at", "revoked_by"])
