"""Creating a team: a person founds it and is its first owner."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.text import slugify

from studio.teams.models import Membership, Role, Team


@transaction.atomic
def create_team(name: str, owner: User) -> Team:
    """A team with `owner` as its first member; the slug is made unique."""
    base = slugify(name)[:90] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    team = Team.objects.create(name=name, slug=slug)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team
