"""Control characters in a URL and NULs in a form are refused at the door, for every
route at once (studio/middleware.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from studio.review.models import Comment
from tests.conftest import Personas
from tests.factories import make_generation


@pytest.mark.parametrize(
    "url",
    [
        "/teams/join/a%00b/",  # PostgreSQL refuses a NUL even in a lookup
        "/files/outputs/a%00b.mp4",
        "/s/%0Aset-cookie/",
        "/v1/generations/%00",
        "/?q=a%00b",
        "/?batch=%0D%0A",
        "/api/v1/generations?state=%1B",
    ],
)
def test_a_url_with_a_control_character_is_400(
    client: Client, personas: Personas, url: str
) -> None:
    client.force_login(personas.owner)
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {"detail": "The address holds a control character."}


def test_a_browser_gets_a_page(client: Client, personas: Personas) -> None:
    client.force_login(personas.owner)
    response = client.get("/teams/join/a%00b/", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_a_form_field_is_400_and_ordinary_text_passes(
    client: Client, personas: Personas
) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.reviewer)
    url = reverse("review:comment", args=[take.id])
    response = client.post(url, {"body": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"detail": "A form field holds a NUL character."}
    assert not Comment.objects.exists()
    body = "Line one\r\nline two\twith a tab, é and 漢字"
    assert client.post(url, {"body": body}).status_code == 302
    assert Comment.objects.get().body == body
