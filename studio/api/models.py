"""Personal access tokens for the studio's JSON API.

A token acts as its person in one team, with whatever role they hold there today: a role
change applies to the token at once, and leaving the team stops it working.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.teams.models import Team


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The short public part of the token (`studio_<prefix>_…`), shown in lists so a person
    # can tell their tokens apart, and named to revoke one from the command line.
    prefix = models.CharField(max_length=16, unique=True)
    # SHA-256 (hex) of the whole token; the token itself is never stored. Passwords need a
    # slow, salted hash because people choose guessable ones; a token is 32 random bytes,
    # so nothing can be guessed and a fast unsalted hash is enough, and it lets a request
    # find its token with one indexed lookup (GitHub stores its tokens the same way).
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
