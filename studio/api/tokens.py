"""Issuing, checking and revoking personal access tokens.

A token reads `studio_<prefix>_<secret>`: the prefix (8 hex characters) is public and
shown in lists; the secret is 32 random bytes. Only a hash of the whole token is stored,
so the plain token exists once, in what `issue()` returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from studio.api.models import ApiToken
from studio.teams.models import Membership, Team

SCHEME = "studio"
PREFIX_BYTES = 4  # 8 hex characters
SECRET_BYTES = 32
# Longer than any token we issue; anything longer is not worth hashing.
MAX_TOKEN_LENGTH = 200
# Recording every use would be a write per API request; once a minute is precise enough
# for "last used" and keeps reads read-only.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_prefix() -> str:
    # Hex, not url-safe base64: a prefix never holds "_" (it splits the token's parts) nor
    # starts with "-" (it would read as an option to `studio_token revoke`).
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def issue(user: User, team: Team, name: str) -> tuple[ApiToken, str]:
    """A new token for `user` in `team`, and its plain text (shown once, never stored)."""
    if not Membership.objects.filter(user=user, team=team).exists():
        raise ValueError(f"{user} is not a member of {team}")
    prefix = _new_prefix()
    raw = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user, team=team, name=name.strip(), prefix=prefix, token_hash=hash_token(raw)
    )
    return token, raw


def revoke(token: ApiToken) -> bool:
    """Stop the token working; False when it already was revoked."""
    now = timezone.now()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        token.revoked_at = now
    return bool(updated)


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    # Conditional, so that parallel requests write it once.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now)
    token.last_used_at = now


def membership_for_token(raw: str) -> Membership | None:
    """The membership a token acts as, or None for an unknown or revoked token, or one
    whose person is no longer in its team (or can no longer sign in)."""
    if not raw.startswith(f"{SCHEME}_") or len(raw) > MAX_TOKEN_LENGTH:
        return None
    # A lookup by hash needs no constant-time compare: timing can only tell an attacker
    # about hashes, which do not lead back to a token.
    token = ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is None:
        return None
    membership = (
        Membership.objects.select_related("team", "user")
        .filter(team_id=token.team_id, user_id=token.user_id, user__is_active=True)
        .first()
    )
    if membership is None:
        return None
    _touch(token)
    return membership
