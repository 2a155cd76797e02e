"""What a fresh database needs before a person can sign in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from studio.accounts.users import create_team, create_user


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
    user = create_user(email, password, name="Admin", is_superuser=True)
    create_team("My studio", user)
    return FirstUser(email=email, password=password if generated else None)
