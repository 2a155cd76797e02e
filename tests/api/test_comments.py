"""The JSON API for comments: GET/POST /api/v1/generations/{id}/comments (studio/api/views)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from studio.generations.models import Generation
from studio.review.drawing import MAX_POINTS, MAX_SHAPES, TEXT_MAX
from studio.review.models import Comment
from tests.conftest import Personas
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.django_db

ARROW = {"tool": "arrow", "colour": "red", "points": [[0.1, 0.2], [0.5, 0.6]]}
TEXT = {"tool": "text", "colour": "white", "points": [[0.2, 0.8]], "text": "too dark"}


def url(generation: Generation) -> str:
    return f"/api/v1/generations/{generation.id}/comments"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: Client, generation: Generation, token: str, body: Any) -> Any:
    return client.post(
        url(generation), json.dumps(body), content_type="application/json", headers=auth(token)
    )


@pytest.fixture
def clip(personas: Personas) -> Generation:
    """A 24-frame clip (frames 0 to 23) of Northwind."""
    generation = make_generation(personas.team, personas.editor, prompt="Harbour at dawn")
    add_media(generation, frames=24)
    return generation


def test_a_script_posts_a_range_with_a_drawing_and_reads_it_back(
    client: Client, clip: Generation, api_tokens: dict[str, str]
) -> None:
    drawing = {"shapes": [ARROW, TEXT]}
    response = post(
        client,
        clip,
        api_tokens["reviewer"],
        {"frame": 4, "end_frame": 12, "body": "Flicker on the mast", "drawing": drawing},
    )
    assert response.status_code == 201, response.content
    record = response.json()
    assert record["frame"] == 4 and record["end_frame"] == 12
    assert record["drawing"] == drawing
    assert record["author"] == "Rita Reviewer" and record["author_email"] == "reviewer@example.com"
    assert record["parent"] is None and record["guest"] is False and record["resolved"] is False
    stored = Comment.objects.get(pk=record["id"])
    assert (stored.frame, stored.end_frame, stored.drawing) == (4, 12, drawing)
    clip.refresh_from_db()
    assert clip.comment_count == 1

    # A reply joins its thread's frame and range.
    reply = post(client, clip, api_tokens["editor"], {"body": "Fixed", "parent": record["id"]})
    assert reply.status_code == 201, reply.content
    assert (reply.json()["frame"], reply.json()["end_frame"]) == (4, 12)
    assert reply.json()["parent"] == record["id"]

    listed = client.get(url(clip), headers=auth(api_tokens["viewer"]))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["comments"]] == [record["id"], reply.json()["id"]]
    assert listed.json()["next_after"] is None
    assert listed.json()["comments"][0] == record


def test_the_list_comes_in_keyset_pages(
    client: Client, clip: Generation, api_tokens: dict[str, str]
) -> None:
    ids = [
        post(client, clip, api_tokens["owner"], {"body": f"note {i}", "frame": i}).json()["id"]
        for i in range(3)
    ]
    first = client.get(url(clip) + "?limit=2", headers=auth(api_tokens["owner"])).json()
    assert [c["id"] for c in first["comments"]] == ids[:2]
    after = first["next_after"]
    rest = client.get(f"{url(clip)}?limit=2&after={after}", headers=auth(api_tokens["owner"]))
    assert [c["id"] for c in rest.json()["comments"]] == ids[2:]
    assert rest.json()["next_after"] is None
    for query in ("limit=0", "limit=501", "limit=x", "after=0", "after=-3", "after=abc"):
        bad = client.get(f"{url(clip)}?{query}", headers=auth(api_tokens["owner"]))
        assert bad.status_code == 400, query


def test_roles_as_on_the_page(client: Client, clip: Generation, api_tokens: dict[str, str]) -> None:
    viewer = post(client, clip, api_tokens["viewer"], {"body": "I may not", "frame": 1})
    assert viewer.status_code == 403
    assert viewer.json() == {"detail": "Your role (Viewer) cannot do this."}
    outsider = post(client, clip, api_tokens["outsider"], {"body": "Nor I", "frame": 1})
    assert outsider.status_code == 404
    assert client.get(url(clip), headers=auth(api_tokens["outsider"])).status_code == 404
    assert client.get(url(clip)).status_code == 401
    assert not Comment.objects.exists()


def shapes(*items: dict[str, Any]) -> dict[str, Any]:
    return {"shapes": list(items)}


BAD = [
    # (request body, the detail's start)
    ({"body": "x", "frame": 24}, "This clip has frames 0 to 23."),
    ({"body": "x", "frame": -1}, "The frame must be 0 or more."),
    ({"body": "x", "frame": 3, "end_frame": 24}, "This clip has frames 0 to 23."),
    ({"body": "x", "frame": 3, "end_frame": 3}, "A range ends after the frame it starts at."),
    ({"body": "x", "frame": 9, "end_frame": 2}, "A range ends after the frame it starts at."),
    ({"body": "x", "end_frame": 5}, "A range needs its first frame too."),
    ({"body": "x", "frame": "3"}, "frame: must be a whole number"),
    ({"body": "x", "frame": 2.5}, "frame: must be a whole number"),
    ({"body": "x", "frame": True}, "frame: must be a whole number"),
    ({"body": "x", "frame": 10**30}, "frame: must be a whole number"),
    ({"body": 5, "frame": 1}, "body: must be text"),
    ({"frame": 1}, "body: must be text"),
    ({"body": "   ", "frame": 1}, "Write something first."),
    ({"body": "x", "frame": 1, "colour": "red"}, "colour: unknown field"),
    ({"body": "x", "parent": "one"}, "parent: must be a comment id"),
    ({"body": "x", "parent": 0}, "parent: must be a comment id"),
    ({"body": "x", "parent": 2**62}, "The comment you reply to no longer exists."),
    ({"body": "x", "drawing": shapes(ARROW)}, "A drawing sits on a frame: give the frame."),
    ({"body": "x", "frame": 1, "drawing": []}, "drawing: must be an object with shapes"),
    ({"body": "x", "frame": 1, "drawing": "arrow"}, "drawing: must be an object with shapes"),
    ({"body": "x", "frame": 1, "drawing": {}}, "drawing.shapes: Field required"),
    ({"body": "x", "frame": 1, "drawing": shapes()}, "drawing.shapes: List should have at least"),
    (
        {"body": "x", "frame": 1, "drawing": {**shapes(ARROW), "scale": 2}},
        "drawing.scale: Extra inputs are not permitted",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "tool": "laser"})},
        "drawing.shapes[0].tool: Input should be",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "colour": "#ff0000"})},
        "drawing.shapes[0].colour: Input should be",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "points": [[0.1, 0.2], [1.5, 0]]})},
        "drawing.shapes[0].points[1][0]: Input should be less than or equal to 1",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "points": [[0.1, -0.1], [1, 0]]})},
        "drawing.shapes[0].points[0][1]: Input should be greater than or equal to 0",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "points": [[0.1, "0.2"], [1, 0]]})},
        "drawing.shapes[0].points[0][1]: Input should be a valid number",
    ),
    (
        {
            "body": "x",
            "frame": 1,
            "drawing": shapes({**ARROW, "points": [[0.1, 0.2, 0.3], [1, 0]]}),
        },
        "drawing.shapes[0].points[0]: List should have at most 2 items",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "points": [[0.1, 0.2]]})},
        "drawing.shapes[0]: the arrow tool takes 2 points",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**ARROW, "text": "hi"})},
        "drawing.shapes[0]: the arrow tool takes no text",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**TEXT, "text": None})},
        "drawing.shapes[0]: a text shape needs its text",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**TEXT, "text": "x" * (TEXT_MAX + 1)})},
        "drawing.shapes[0].text: String should have at most",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes({**TEXT, "text": "bell\x07"})},
        "drawing.shapes[0]: the text may not hold control characters",
    ),
    (
        {"body": "x", "frame": 1, "drawing": shapes(*[ARROW] * (MAX_SHAPES + 1))},
        "drawing.shapes: List should have at most",
    ),
    (
        {
            "body": "x",
            "frame": 1,
            "drawing": shapes(
                {"tool": "freehand", "colour": "green", "points": [[0.5, 0.5]] * (MAX_POINTS + 1)}
            ),
        },
        "drawing.shapes[0].points: List should have at most",
    ),
    (
        {
            "body": "x",
            "frame": 1,
            "drawing": shapes(
                *[{"tool": "freehand", "colour": "green", "points": [[0.5, 0.5]] * MAX_POINTS}] * 5
            ),
        },
        "drawing: a drawing holds at most",
    ),
]


@pytest.mark.parametrize(("body", "detail"), BAD, ids=[d for _b, d in BAD])
def test_bad_notes_are_refused_with_the_field_named(
    client: Client, clip: Generation, api_tokens: dict[str, str], body: Any, detail: str
) -> None:
    response = post(client, clip, api_tokens["editor"], body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(detail)
    assert not Comment.objects.exists()


def test_numbers_that_are_not_finite_are_refused(
    client: Client, clip: Generation, api_tokens: dict[str, str]
) -> None:
    # JSON text may carry NaN and Infinity; no coordinate may be one.
    for value in ("NaN", "Infinity", "-Infinity"):
        raw = (
            '{"body": "x", "frame": 1, "drawing": {"shapes": [{"tool": "arrow", "colour": "red", '
            f'"points": [[0.1, {value}], [0.5, 0.5]]}}]}}}}'
        )
        response = client.post(
            url(clip), raw, content_type="application/json", headers=auth(api_tokens["editor"])
        )
        assert response.status_code == 400, (value, response.content)
        assert response.json()["detail"].startswith("drawing.shapes[0].points[0][1]")
    assert not Comment.objects.exists()


def test_a_reply_to_another_generations_comment_is_refused(
    client: Client, clip: Generation, personas: Personas, api_tokens: dict[str, str]
) -> None:
    elsewhere = make_generation(personas.team, personas.editor, prompt="Elsewhere")
    add_media(elsewhere, frames=24)
    theirs = post(client, elsewhere, api_tokens["editor"], {"body": "there", "frame": 2}).json()
    response = post(client, clip, api_tokens["editor"], {"body": "x", "parent": theirs["id"]})
    assert response.status_code == 400
    assert response.json()["detail"] == "The comment you reply to no longer exists."


def test_the_openapi_document_describes_the_drawing(client: Client, db: None) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    operations = doc["paths"]["/api/v1/generations/{id}/comments"]
    assert {"get", "post"} <= set(operations)
    drawing = doc["components"]["schemas"]["Drawing"]
    assert drawing["properties"]["shapes"]["maxItems"] == MAX_SHAPES
    shape = doc["components"]["schemas"]["Shape"]
    assert shape["properties"]["colour"]["enum"] == ["red", "yellow", "green", "blue", "white"]
