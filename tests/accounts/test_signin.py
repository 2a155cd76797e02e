from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from studio.core.bootstrap import ensure_first_user
from tests.conftest import PASSWORD, Personas


def test_home_requires_sign_in(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_sign_in_by_email_and_out(client: Client, personas: Personas) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "Editor@Example.com ", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"editor@example.com" in home.content
    assert b"Northwind" in home.content
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client: Client, personas: Personas) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "editor@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content


@pytest.mark.django_db
def test_first_user_is_created_once(settings: object) -> None:
    settings.STUDIO_ADMIN_EMAIL = "first@example.com"  # type: ignore[attr-defined]
    settings.STUDIO_ADMIN_PASSWORD = ""  # type: ignore[attr-defined]
    first = ensure_first_user()
    assert first is not None and first.email == "first@example.com"
    assert first.password  # generated, shown once on the console
    assert ensure_first_user() is None
    client = Client()
    assert client.login(username="first@example.com", password=first.password)
    assert client.get("/").status_code == 200


def test_switch_team_only_to_own_teams(client: Client, personas: Personas) -> None:
    client.force_login(personas.outsider)
    response = client.post(reverse("teams:switch"), {"team": personas.team.id})
    assert response.status_code == 404


def test_change_password(client: Client, personas: Personas) -> None:
    client.force_login(personas.viewer)
    new = "a brand new passphrase"
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="viewer@example.com", password=new)


def test_change_password_needs_the_old_one(client: Client, personas: Personas) -> None:
    client.force_login(personas.viewer)
    response = client.post(
        reverse("accounts:password"),
        {"old_password": "wrong", "new_password1": "x" * 12, "new_password2": "x" * 12},
    )
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content
