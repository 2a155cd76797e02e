"""Switching teams with a team id past the database's range: a 404 (before, a 500)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import Personas


def test_a_team_id_past_the_column_is_404(client: Client, personas: Personas) -> None:
    client.force_login(personas.owner)
    response = client.post(reverse("teams:switch"), {"team": "9223372036854775808", "next": "/"})
    assert response.status_code == 404
