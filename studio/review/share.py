"""Share links: a signed token naming a ShareLink row, which decides expiry and revocation."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from studio.generations.models import Generation, GenerationQuerySet, Output
from studio.review import page
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
    by: User,
    days: int,
    label: str = "",
    allow_comments: bool = True,
    allow_downloads: bool = False,
) -> ShareLink:
    if not generation_ids:
        raise ValueError("Choose at least one generation to share.")
    if len(generation_ids) > MAX_ITEMS:
        raise ValueError(f"A link can share at most {MAX_ITEMS} generations.")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"A link lasts between 1 and {MAX_DAYS} days.")
    generations = list(Generation.objects.live().filter(team=team, id__in=set(generation_ids)))
    if len(generations) != len(set(generation_ids)):
        raise ValueError("Some of those generations are not in this team.")
    share = ShareLink.objects.create(
        team=team,
        label=label.strip()[:120],
        created_by=by,
        allow_comments=allow_comments,
        allow_downloads=allow_downloads,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    share.generations.set(generations)
    return share


def shared_generations(share: ShareLink) -> GenerationQuerySet:
    """What a link still shares: a generation moved to the trash leaves its links too."""
    return share.generations.all().live()


def revoke(share: ShareLink, by: User) -> None:
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by = by
        share.save(update_fields=["revoked_at", "revoked_by"])


@dataclass(frozen=True)
class SharedFiles:
    """What a share page links of one generation; the share serves these files and no other."""

    player: page.Player | None
    poster: Output | None
    downloads: list[Output]

    def serves(self, output: Output) -> bool:
        linked = [self.player.output if self.player else None, self.poster, *self.downloads]
        return any(o is not None and o.pk == output.pk for o in linked)


def shared_files(
    share: ShareLink, generation: Generation, outputs: dict[str, Output] | None = None
) -> SharedFiles:
    """The files a share exposes of one of its generations.

    Someone holding the link watches: the player's file and the poster. For an HDR clip the
    player plays the SDR preview; its HDR original (the master) is never the shared
    player, so without a preview the page shows no player. The originals (master MP4, EXR
    zip) are served only when whoever made the link chose to include downloads.
    """
    if outputs is None:
        outputs = page.outputs_by_kind(generation)
    player = page.player_for(generation, outputs)
    plays_master = (
        player is not None
        and player.output.kind == Output.Kind.VIDEO
        and (generation.hdr or player.output.hdr)
    )
    if plays_master:
        player = None
    downloads = []
    if share.allow_downloads:
        downloads = [outputs[k] for k in page.DOWNLOAD_KINDS if k in outputs]
    return SharedFiles(player=player, poster=outputs.get("poster"), downloads=downloads)
