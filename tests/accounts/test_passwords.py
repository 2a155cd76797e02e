"""Passwords are checked against the person's own email and name, and are never only spaces."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.urls import reverse

from studio.core.bootstrap import ensure_first_user
from tests.conftest import PASSWORD, Personas


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("viewer@example.com", "too similar to the email address"),
        ("Valentina Vasquez", "too similar to the first name"),
        (" " * 12, "only spaces"),
    ],
)
def test_the_change_password_page_refuses_weak_passwords(
    client: Client, personas: Personas, new: str, message: str
) -> None:
    personas.viewer.first_name = "Valentina Vasquez"
    personas.viewer.save(update_fields=["first_name"])
    client.force_login(personas.viewer)
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["admin@studio.local", " " * 10, "password"])
def test_a_weak_first_password_stops_the_start(settings: Any, weak: str) -> None:
    settings.STUDIO_ADMIN_EMAIL = "admin@studio.local"
    settings.STUDIO_ADMIN_PASSWORD = weak
    with pytest.raises(ImproperlyConfigured, match="STUDIO_ADMIN_PASSWORD is refused"):
        ensure_first_user()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_django_commands_use_the_same_rules() -> None:
    # createsuperuser and changepassword validate through AUTH_PASSWORD_VALIDATORS.
    user = get_user_model()(username="ann@example.com", email="ann@example.com")
    for weak in ("ann@example.com", " " * 10):
        with pytest.raises(ValidationError):
            validate_password(weak, user=user)
