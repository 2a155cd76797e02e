"""Creating accounts: the email is the username."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User


def create_user(
    email: str, password: str | None, *, name: str = "", is_superuser: bool = False
) -> User:
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
