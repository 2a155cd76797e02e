"""Creating accounts: the email is the username."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from studio.teams.models import Membership, Role, Team


def create_user(
    email: str, password: str | None, *, name: str = "", is_superuser: bool = False
) -> AbstractBaseUser:
    email = email.strip().lower()
    user_model = get_user_model()
    user = user_model(username=email, email=email, first_name=name)
    user.is_staff = user.is_superuser = is_superuser
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def create_team(name: str, owner: AbstractBaseUser) -> Team:
    """A team with `owner` as its first member; the slug is made unique."""
    base = slugify(name)[:90] or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    team = Team.objects.create(name=name, slug=slug)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team
