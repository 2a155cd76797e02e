"""Comments pinned to frames, threads, resolve/reopen, mentions and the denormalised count."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from studio.generations.models import Generation
from studio.review import services
from studio.review.models import Comment, Mention
from tests.factories import add_media, make_generation


@pytest.fixture
def take(personas) -> Generation:
    generation = make_generation(personas.team, personas.editor, prompt="Lighthouse at night")
    add_media(generation, frames=48)
    return generation


def comment_url(take: Generation) -> str:
    return reverse("review:comment", args=[take.id])


def marks_of(html: str) -> list[dict]:
    found = re.search(
        r'<script id="player-marks" type="application/json">(.*?)</script>', html, re.S
    )
    assert found
    return json.loads(found.group(1))


def test_a_comment_is_pinned_to_the_frame_and_marked_on_the_timeline(
    client, personas, take
) -> None:
    client.force_login(personas.reviewer)
    response = client.post(comment_url(take), {"body": "The beam flickers", "frame": "17"})
    created = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{created.pk}")
    assert (created.frame, created.author, created.body) == (
        17,
        personas.reviewer,
        "The beam flickers",
    )
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert marks_of(html) == [
        {
            "id": created.pk,
            "frame": 17,
            "end_frame": None,
            "resolved": False,
            "text": "The beam flickers",
            "drawings": [],
        }
    ]
    assert 'data-seek="17"' in html


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("48", "This clip has frames 0 to 47."),
        ("-1", "The frame must be 0 or more."),
        ("x", "The frame must be a whole number."),
    ],
)
def test_frames_outside_the_clip_are_refused(client, personas, take, frame, message) -> None:
    client.force_login(personas.reviewer)
    response = client.post(comment_url(take), {"body": "Out of range", "frame": frame}, follow=True)
    assert message in response.content.decode()
    assert not Comment.objects.exists()
    assert Generation.objects.get(pk=take.pk).comment_count == 0


def test_empty_comments_are_refused(client, personas, take) -> None:
    client.force_login(personas.reviewer)
    response = client.post(comment_url(take), {"body": "   ", "frame": "1"}, follow=True)
    assert "Write something first." in response.content.decode()
    assert not Comment.objects.exists()


def test_threads_replies_and_the_count(client, personas, take) -> None:
    client.force_login(personas.editor)
    client.post(comment_url(take), {"body": "Root", "frame": "4"})
    root = Comment.objects.get()
    client.post(comment_url(take), {"body": "First reply", "parent": root.pk, "frame": "30"})
    reply = Comment.objects.get(body="First reply")
    # A reply to a reply joins the same thread.
    client.post(comment_url(take), {"body": "Second reply", "parent": reply.pk})
    second = Comment.objects.get(body="Second reply")
    assert reply.parent_id == root.pk and second.parent_id == root.pk
    assert reply.frame == 4 and second.frame == 4
    assert Generation.objects.get(pk=take.pk).comment_count == 3
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    thread = html[html.index(f'id="comment-{root.pk}"') :]
    assert thread.index("First reply") < thread.index("Second reply")
    # Only top-level comments are marks.
    assert [m["id"] for m in marks_of(html)] == [root.pk]


def test_a_reply_to_another_generations_comment_is_refused(client, personas, take) -> None:
    elsewhere = make_generation(personas.team, personas.editor)
    foreign = services.add_comment(elsewhere, "there", frame=None, author=personas.editor)
    client.force_login(personas.editor)
    response = client.post(comment_url(take), {"body": "x", "parent": foreign.pk}, follow=True)
    assert "no longer exists" in response.content.decode()
    assert Comment.objects.count() == 1


def test_resolve_and_reopen(client, personas, take) -> None:
    comment = services.add_comment(take, "Fix the horizon", frame=9, author=personas.reviewer)
    client.force_login(personas.editor)
    url = reverse("review:resolve", args=[take.id, comment.pk])
    client.post(url)
    comment.refresh_from_db()
    assert comment.is_resolved and comment.resolved_by == personas.editor
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert marks_of(html)[0]["resolved"] is True
    assert "Reopen" in html
    client.post(url, {"resolved": "no"})
    comment.refresh_from_db()
    assert not comment.is_resolved and comment.resolved_by is None


def test_mentions_are_recorded_and_highlighted(client, personas, take) -> None:
    client.force_login(personas.reviewer)
    client.post(
        comment_url(take),
        {"body": "@editor and @Owner please look; not @nobody or mail a@editor", "frame": "2"},
    )
    comment = Comment.objects.get()
    mentioned = set(Mention.objects.filter(comment=comment).values_list("user__email", flat=True))
    assert mentioned == {"editor@example.com", "owner@example.com"}
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert '<mark class="mention">@editor</mark>' in html
    assert '<mark class="mention">@Owner</mark>' in html
    assert "@nobody" in html and '<mark class="mention">@nobody' not in html


def test_comment_bodies_are_escaped(client, personas, take) -> None:
    services.add_comment(take, "<script>alert(1)</script> @editor", frame=1, author=personas.editor)
    client.force_login(personas.viewer)
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_viewer_sees_comments_but_no_form(client, personas, take) -> None:
    services.add_comment(take, "Visible", frame=1, author=personas.editor)
    client.force_login(personas.viewer)
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert "Visible" in html
    assert 'data-role="comment-form"' not in html and "Resolve" not in html
