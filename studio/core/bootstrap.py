"""What a fresh database needs before a person can sign in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError

from studio.accounts.passwords import validate_new_password
from studio.accounts.users import create_user
from studio.teams.create import create_team

FIRST_NAME = "Admin"


@dataclass
class FirstUser:
    email: str
    password: str | None  # set only when it was generated now and must be shown once


def ensure_first_user() -> FirstUser | None:
    """Create the first account (and its team) on a database that has no user yet.

    The email and password come from STUDIO_ADMIN_EMAIL / STUDIO_ADMIN_PASSWORD; without a
    password one is generated and returned so the console can show it once.
    """
    if get_user_model().objects.exists():
        return None
    email = settings.STUDIO_ADMIN_EMAIL
    password = settings.STUDIO_ADMIN_PASSWORD
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    else:
        try:
            validate_new_password(password, email=email, name=FIRST_NAME)
        except ValidationError as error:
            # A deployment's typo or a weak choice stops the start, as a bad setting does.
            raise ImproperlyConfigured(
                f"STUDIO_ADMIN_PASSWORD is refused: {' '.join(error.messages)}"
            ) from None
    user = create_user(email, password, name=FIRST_NAME, is_superuser=True)
    create_team("My studio", user)
    return FirstUser(email=email, password=password if generated else None)
