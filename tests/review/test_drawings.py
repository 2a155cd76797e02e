"""Range comments and drawings through the pages' forms (members and guests), and what the
player is given to show them (studio/review/views, page.marks)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from studio.generations.models import Generation
from studio.review import services
from studio.review.drawing import COLOURS, palette
from studio.review.models import Comment
from studio.review.share import create_share, token_for
from tests.factories import add_media, make_generation
from tests.review.test_comments import marks_of

ARROW = {"tool": "arrow", "colour": "blue", "points": [[0.25, 0.5], [0.75, 0.5]]}
FREEHAND = {"tool": "freehand", "colour": "red", "points": [[0, 0], [0.5, 0.25], [1, 1]]}


@pytest.fixture
def take(personas) -> Generation:
    generation = make_generation(personas.team, personas.editor, prompt="Lighthouse at night")
    add_media(generation, frames=48)
    return generation


def detail(client, take: Generation) -> str:
    return client.get(reverse("review:generation", args=[take.id])).content.decode()


def test_a_member_posts_a_range_with_a_drawing(client, personas, take) -> None:
    client.force_login(personas.reviewer)
    drawing = {"shapes": [ARROW, FREEHAND]}
    response = client.post(
        reverse("review:comment", args=[take.id]),
        {"body": "Beam too long", "frame": "8", "end_frame": "30", "drawing": json.dumps(drawing)},
    )
    created = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{created.pk}")
    assert (created.frame, created.end_frame, created.drawing) == (8, 30, drawing)
    html = detail(client, take)
    (mark,) = marks_of(html)
    assert (mark["frame"], mark["end_frame"]) == (8, 30)
    assert mark["drawings"] == [{"id": created.pk, "shapes": drawing["shapes"]}]
    assert f'data-drawing-thumb="{created.pk}"' in html
    assert 'data-seek="8" data-seek-end="30"' in html
    # The tools the player offers come from the same schema that checks drawings.
    assert (
        json.loads(
            html.split('<script id="drawing-palette" type="application/json">')[1].split(
                "</script>"
            )[0]
        )
        == palette()
    )
    assert palette()["colours"] == COLOURS


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"frame": "8", "end_frame": "8"}, "A range ends after the frame it starts at."),
        ({"frame": "8", "end_frame": "48"}, "This clip has frames 0 to 47."),
        ({"frame": "8", "end_frame": "x"}, "The frame must be a whole number."),
        ({"frame": "8", "drawing": "{not json"}, "drawing: not a drawing this page made"),
        ({"frame": "8", "drawing": "[]"}, "drawing: must be an object with shapes"),
        (
            {"frame": "8", "drawing": json.dumps({"shapes": [{**ARROW, "colour": "pink"}]})},
            "drawing.shapes[0].colour: Input should be",
        ),
        (
            {"pin": "off", "drawing": json.dumps({"shapes": [ARROW]})},
            "A drawing sits on a frame: give the frame.",
        ),
    ],
)
def test_bad_ranges_and_drawings_are_refused_with_a_message(
    client, personas, take, fields: dict[str, str], message: str
) -> None:
    client.force_login(personas.reviewer)
    response = client.post(
        reverse("review:comment", args=[take.id]), {"body": "Hm", **fields}, follow=True
    )
    assert response.status_code == 200
    assert message in [str(m) for m in response.context["messages"]][0]
    assert not Comment.objects.exists()


def test_a_guest_draws_on_a_share_link(client, personas, take) -> None:
    share = create_share(personas.team, [take.id], by=personas.owner, days=2)
    token = token_for(share)
    drawing = {"shapes": [ARROW]}
    response = client.post(
        reverse("review:shared_comment", args=[token, take.id]),
        {
            "name": "Casey",
            "body": "Here",
            "frame": "4",
            "end_frame": "9",
            "drawing": json.dumps(drawing),
        },
    )
    assert response.status_code == 302
    created = Comment.objects.get()
    assert (created.guest_name, created.frame, created.end_frame, created.drawing) == (
        "Casey",
        4,
        9,
        drawing,
    )
    html = client.get(reverse("review:shared_item", args=[token, take.id])).content.decode()
    assert marks_of(html)[0]["drawings"] == [{"id": created.pk, "shapes": drawing["shapes"]}]
    assert 'data-role="draw"' in html
    # With comments turned off the tools are not offered either.
    share.allow_comments = False
    share.save()
    html = client.get(reverse("review:shared_item", args=[token, take.id])).content.decode()
    assert 'data-role="draw"' not in html


def test_a_viewer_is_not_offered_the_tools(client, personas, take) -> None:
    client.force_login(personas.viewer)
    html = detail(client, take)
    assert 'data-role="draw"' not in html and 'data-role="range-in"' not in html


def test_replies_join_the_range_and_their_drawings_show_with_the_thread(personas, take) -> None:
    head = services.add_comment(take, "Range", frame=3, end_frame=6, author=personas.reviewer)
    reply = services.add_comment(
        take,
        "Like this",
        frame=40,
        end_frame=44,
        drawing={"shapes": [FREEHAND]},
        author=personas.editor,
        parent_id=head.pk,
    )
    assert (reply.frame, reply.end_frame) == (3, 6)
    from studio.review.page import marks, threads

    (mark,) = marks(threads(take))
    assert mark["drawings"] == [{"id": reply.pk, "shapes": [FREEHAND]}]


def test_a_deleted_head_keeps_its_thread_but_not_its_drawing(client, personas, take) -> None:
    head = services.add_comment(
        take, "Look", frame=12, drawing={"shapes": [ARROW]}, author=personas.reviewer
    )
    services.add_comment(take, "Seen", frame=None, author=personas.editor, parent_id=head.pk)
    services.delete_comment(take, head.pk, personas.reviewer)
    head.refresh_from_db()
    assert head.is_deleted and head.drawing is None
    client.force_login(personas.reviewer)
    assert marks_of(detail(client, take))[0]["drawings"] == []


def test_the_database_refuses_a_range_that_ends_before_it_starts(personas, take) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(
            generation=take, author=personas.reviewer, body="x", frame=9, end_frame=4
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(generation=take, author=personas.reviewer, body="x", end_frame=4)
