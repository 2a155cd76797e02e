"""Password rules beyond Django's own validators (listed in AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


class NotOnlyWhitespaceValidator:
    """Refuses a password of nothing but spaces, tabs or line breaks.

    Password fields keep whitespace as typed (it may be part of a passphrase), so ten
    spaces would otherwise pass the length check.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(
                "This password is only spaces. Use letters, digits or symbols too.",
                code="password_only_whitespace",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be only spaces."


def validate_new_password(password: str, *, email: str, name: str = "") -> None:
    """Every configured validator, compared with the person's email and name.

    For a password chosen before the account exists (an invite's sign-up, the first
    account): the validators see a stand-in user with the attributes the account will have.
    """
    email = email.strip().lower()
    candidate = get_user_model()(username=email, email=email, first_name=name)
    validate_password(password, user=candidate)
