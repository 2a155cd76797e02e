"""Markers for the edit: every file read back with OpenTimelineIO, the CSV's columns, token
access, timelines of a batch, a selection and a chain, and the animatic decoded with PyAV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.api.tokens import issue
from studio.contract import FPS
from studio.generations.models import Batch, Generation, Output
from studio.review import animatic, services
from studio.review.models import Comment
from studio.teams.models import Membership, Role
from tests.factories import add_media, make_generation, write_mp4
from tests.review.conftest import World

ADAPTERS = {"otio": "otio_json", "edl": "cmx_3600", "xml": "fcp_xml"}


@pytest.fixture
def noted(world: World) -> World:
    """The take's notes: the world's open comment on frame 5 (Rita, with Eddie's reply), a
    resolved range 10–20 by Eddie, a deleted one and one pinned to no frame (not markers)."""
    p, take = world.p, world.take
    services.add_comment(take, "Agreed", frame=None, author=p.editor, parent_id=world.comment.pk)
    ranged = services.add_comment(take, "Sky pulses", frame=10, end_frame=20, author=p.editor)
    Comment.objects.filter(pk=ranged.pk).update(resolved_at=timezone.now(), resolved_by=p.owner)
    gone = services.add_comment(take, "Never mind", frame=15, author=p.owner)
    Comment.objects.filter(pk=gone.pk).update(deleted_at=timezone.now(), deleted_by=p.owner)
    services.add_comment(take, "Overall lovely", frame=None, author=p.owner)
    return world


def _get(client: Client, url: str, token: str = "") -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def _markers(timeline: otio.schema.Timeline) -> list[tuple[str, int, int, str]]:
    (clip,) = list(timeline.find_clips())
    return [
        (
            m.name,
            m.marked_range.start_time.to_frames(),
            m.marked_range.duration.to_frames(),
            m.comment or (m.metadata.get("fcp_xml") or {}).get("comment", ""),
        )
        for m in clip.markers
    ]


@pytest.mark.parametrize("fmt", ["otio", "xml"])
def test_markers_read_back_at_their_frames_with_their_ranges(
    client: Client, noted: World, fmt: str
) -> None:
    client.force_login(noted.p.viewer)
    body = _get(client, reverse("review:markers", args=[noted.take.id, fmt]))
    timeline = otio.adapters.read_from_string(body.decode(), ADAPTERS[fmt])
    assert timeline.duration().rate == FPS
    (clip,) = list(timeline.find_clips())
    # The clip from its frame 0, as long as the video.
    assert clip.source_range.start_time.to_frames() == 0
    assert clip.source_range.duration.to_frames() == 24
    assert _markers(timeline) == [
        ("Rita Reviewer (open): Flicker here @editor Eddie Editor: Agreed", 5, 0, "Flicker here @editor\nEddie Editor: Agreed"),
        ("Eddie Editor (resolved): Sky pulses", 10, 11, "Sky pulses"),
    ]  # fmt: skip


def test_the_edl_carries_each_marker_once_at_its_timecode(client: Client, noted: World) -> None:
    client.force_login(noted.p.reviewer)
    body = _get(client, reverse("review:markers", args=[noted.take.id, "edl"])).decode()
    assert body.count("* LOC:") == 2
    timeline = otio.adapters.read_from_string(body, "cmx_3600", rate=FPS)
    # An EDL's locator is a point in time; its name (upper-cased by CMX) holds the note.
    assert [(name, start) for name, start, _d, _c in _markers(timeline)] == [
        ("RITA REVIEWER (OPEN): FLICKER HERE @EDITOR EDDIE EDITOR: AGREED", 5),
        ("EDDIE EDITOR (RESOLVED): SKY PULSES", 10),
    ]
    assert "* LOC: 00:00:00:05 RED" in body and "* LOC: 00:00:00:10 GREEN" in body


def test_the_csv_has_a_header_and_a_row_per_marker(client: Client, noted: World) -> None:
    client.force_login(noted.p.editor)
    response = client.get(reverse("review:markers", args=[noted.take.id, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["frame", "end_frame", "timecode", "author", "state", "text"],
        ["5", "", "00:00:00:05", "Rita Reviewer", "open", "Flicker here @editor\nEddie Editor: Agreed"],
        ["10", "20", "00:00:00:10", "Eddie Editor", "resolved", "Sky pulses"],
    ]  # fmt: skip


def test_a_note_that_reads_as_a_formula_stays_text(client: Client, world: World) -> None:
    services.add_comment(world.take, "=HYPERLINK(1)", frame=12, author=world.p.owner)
    client.force_login(world.p.owner)
    body = _get(client, reverse("review:markers", args=[world.take.id, "csv"])).decode()
    assert list(csv.reader(io.StringIO(body)))[-1][-1] == "'=HYPERLINK(1)"


def test_an_unknown_format_is_a_404(client: Client, world: World) -> None:
    client.force_login(world.p.owner)
    assert client.get(reverse("review:markers", args=[world.take.id, "pdf"])).status_code == 404


def test_a_token_fetches_markers_and_a_bad_one_is_refused(client: Client, world: World) -> None:
    url = reverse("review:markers", args=[world.take.id, "csv"])
    assert b"Flicker here" in _get(client, url, token=world.tokens["viewer"])
    response = client.get(url, headers={"Authorization": "Bearer studio_nope_nope"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    # No token, no session: the sign-in page.
    assert client.get(url).status_code == 302


def test_a_token_reaches_its_own_team_only(client: Client, world: World) -> None:
    """Olive is in both teams; her token for the other team does not open Northwind's
    generation, although her session would."""
    p = world.p
    Membership.objects.create(team=p.other_team, user=p.owner, role=Role.OWNER)
    _token, raw = issue(p.owner, p.other_team, "elsewhere")
    url = reverse("review:markers", args=[world.take.id, "otio"])
    assert client.get(url, headers={"Authorization": f"Bearer {raw}"}).status_code == 404
    client.force_login(p.owner)
    assert client.get(url).status_code == 200


def _clip_ids(body: bytes) -> list[str]:
    timeline = otio.adapters.read_from_string(body.decode(), "otio_json")
    return [c.metadata["studio"]["generation"] for c in timeline.find_clips()]


def test_a_batch_is_one_timeline_in_take_order_with_each_clips_markers(
    client: Client, world: World
) -> None:
    p = world.p
    batch = Batch.objects.create(team=p.team, author=p.editor, size=2)
    second = make_generation(p.team, p.editor, batch=batch, take_index=1)
    first = make_generation(p.team, p.editor, batch=batch, take_index=0)
    add_media(first, frames=24)
    add_media(second, frames=36)
    services.add_comment(second, "Hand warps", frame=30, author=p.reviewer)
    services.add_comment(first, "Nice light", frame=2, end_frame=6, author=p.owner)
    url = f"{reverse('review:export_timeline')}?batch={batch.id}"
    body = _get(client, url, token=world.tokens["reviewer"])
    timeline = otio.adapters.read_from_string(body.decode(), "otio_json")
    clips = list(timeline.find_clips())
    assert [c.metadata["studio"]["generation"] for c in clips] == [str(first.id), str(second.id)]
    assert timeline.duration().to_frames() == 24 + 36
    assert [
        [(m.marked_range.start_time.to_frames(), m.marked_range.duration.to_frames()) for m in c.markers]
        for c in clips
    ] == [[(2, 5)], [(30, 0)]]  # fmt: skip
    # Markers sit on the clips, each once: the track and the stack carry none.
    assert not timeline.tracks.markers and not timeline.tracks[0].markers


def test_a_selection_and_a_chain_keep_their_order(client: Client, world: World) -> None:
    client.force_login(world.p.viewer)
    url = reverse("review:export_timeline")
    take, other = str(world.take.id), str(world.other.id)
    assert _clip_ids(_get(client, f"{url}?g={other}&g={take}")) == [other, take]
    # `other` extends `take` forward: it plays after it, whichever is named.
    assert _clip_ids(_get(client, f"{url}?chain={other}")) == [take, other]


def test_a_timeline_needs_something_to_hold(client: Client, world: World) -> None:
    client.force_login(world.p.owner)
    response = client.get(reverse("review:export_timeline"))
    assert response.status_code == 400
    assert b"Choose at least one" in response.content


def _decode(body: bytes) -> tuple[int, int, int, list]:
    with av.open(io.BytesIO(body)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return len(frames), frames[0].shape[1], frames[0].shape[0], frames


def _square_take(world: World) -> Generation:
    """A 180×180 clip of 12 frames, to be letterboxed into a wide frame."""
    take = make_generation(world.p.team, world.p.owner, prompt="square")
    name = f"outputs/test/{take.id}/video.mp4"
    write_mp4(Path(settings.MEDIA_ROOT) / name, frames=12, width=180, height=180)
    Output.objects.create(
        generation=take, kind="video", file=name, width=180, height=180, fps=FPS, frames=12
    )
    return take


def test_the_animatic_plays_the_clips_in_order_at_one_size(client: Client, world: World) -> None:
    square = _square_take(world)
    client.force_login(world.p.viewer)
    query = f"g={world.take.id}&g={square.id}&g={world.other.id}"
    response = client.get(f"{reverse('review:export_animatic')}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    count, width, height, frames = _decode(b"".join(response.streaming_content))
    response.close()
    assert (count, width, height) == (24 + 12 + 24, 320, 180)
    # The square clip sits between black bars; the wide ones fill the frame.
    square_frame = frames[30]
    assert square_frame[:, :60].max() < 24 and square_frame[:, -60:].max() < 24
    assert frames[5][:, :60].mean() > 30


def test_an_animatic_is_capped_and_needs_a_video(client: Client, world: World) -> None:
    client.force_login(world.p.owner)
    url = reverse("review:export_animatic")
    many = [make_generation(world.p.team, world.p.owner) for _ in range(animatic.MAX_CLIPS + 1)]
    response = client.get(url, {"g": [str(g.id) for g in many]})
    assert response.status_code == 400
    assert f"at most {animatic.MAX_CLIPS} clips".encode() in response.content
    response = client.get(url, {"g": [str(many[0].id)]})
    assert response.status_code == 409
    # Two long clips (as recorded: the cap is checked before a frame is decoded).
    for take in many[:2]:
        Output.objects.create(
            generation=take, kind="video", file=f"outputs/test/{take.id}.mp4", width=320,
            height=180, fps=FPS, frames=animatic.MAX_FRAMES // 2 + 1,
        )  # fmt: skip
    response = client.get(url, {"g": [str(g.id) for g in many[:2]]})
    assert response.status_code == 400
    assert b"at most" in response.content


def test_the_pages_offer_the_exports(client: Client, world: World) -> None:
    client.force_login(world.p.viewer)
    page = client.get(reverse("review:generation", args=[world.take.id])).content.decode()
    assert "Export markers" in page
    for fmt in ("csv", "edl", "otio", "xml"):
        assert reverse("review:markers", args=[world.take.id, fmt]) in page
    chain = client.get(reverse("review:chain", args=[world.take.id])).content.decode()
    assert f"{reverse('review:export_animatic')}?chain={world.take.id}" in chain


def test_an_animatic_of_a_clip_whose_file_is_gone_is_a_409(client: Client, world: World) -> None:
    square = _square_take(world)
    (Path(settings.MEDIA_ROOT) / square.outputs.get().file.name).unlink()
    client.force_login(world.p.owner)
    response = client.get(reverse("review:export_animatic"), {"g": [str(square.id)]})
    assert response.status_code == 409
    assert b"missing or unreadable" in response.content
