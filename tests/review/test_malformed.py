"""Numbers past any clip and any column in the review's forms and headers: refused with
a reason (before, a 500 where the database or int() gave up)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from studio.review.models import Comment
from tests.conftest import Personas
from tests.factories import add_media, make_generation


@pytest.fixture
def reviewer(client: Client, personas: Personas) -> Client:
    client.force_login(personas.reviewer)
    return client


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("2147483648", "That frame is past the end of the clip."),  # past PostgreSQL's column
        ("9223372036854775808", "The frame must be a whole number."),  # past SQLite's
    ],
)
def test_a_frame_past_the_column_is_refused_while_the_clip_length_is_unknown(
    reviewer: Client, personas: Personas, frame: str, reason: str
) -> None:
    # Still rendering: no outputs, so no known last frame to compare with.
    take = make_generation(personas.team, personas.editor, state="processing")
    url = reverse("review:comment", args=[take.id])
    response = reviewer.post(url, {"body": "here", "frame": frame}, follow=True)
    assert reason in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bytes=" + "9" * 5000 + "-", 416),  # a start past any file
        ("bytes=-" + "9" * 5000, 206),  # "the last N bytes", N past the file: all of it
        ("bytes=0-" + "9" * 5000, 206),
    ],
)
def test_byte_positions_too_long_to_read_are_past_the_end(
    client: Client, personas: Personas, header: str, status: int
) -> None:
    take = make_generation(personas.team, personas.editor)
    outputs = add_media(take, frames=4)
    size = outputs["video"].file.size
    client.force_login(personas.viewer)
    url = reverse("generations:media", args=[outputs["video"].file.name])
    response = client.get(url, HTTP_RANGE=header)
    assert response.status_code == status
    if status == 206:
        assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"
