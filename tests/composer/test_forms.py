"""Every rule of the contract's table, reached through the composer's form.

Each case fills in the form as a person could (without JavaScript nothing stops them)
and expects the rule's own message on the field it concerns.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from studio.composer.forms import ComposeForm
from studio.composer.sources import team_sources
from studio.contract.rules import RULES, RULES_BY_NAME
from studio.generations.models import Generation
from studio.teams.models import Membership
from tests.conftest import Personas
from tests.factories import make_asset, make_generation, write_mp4


@pytest.fixture
def clip(personas: Personas) -> Generation:
    """A completed 5 s video of Northwind, usable as a source."""
    return make_generation(
        personas.team, personas.editor, prompt="a lighthouse at dusk", duration_s=5.0
    )


@pytest.fixture
def form_for(personas: Personas, image_asset: Any, clip: Generation):
    membership = Membership.objects.get(team=personas.team, user=personas.editor)
    images = [image_asset() for _ in range(4)]

    def make(**fields: Any) -> ComposeForm:
        data: dict[str, Any] = {
            "submit_token": str(uuid.uuid4()),
            "mode": "video",
            "prompt": "a glass greenhouse in morning fog",
            "resolution": "720p",
            "duration": "5s",
            "direction": "forward",
            "controls_mode": "auto",
        }
        for key, value in fields.items():
            if value == "<start>":
                value = images[0].id
            elif value == "<end>":
                value = images[1].id
            elif value == "<clip>":
                value = f"g:{clip.id}"
            elif value == "<keyframes>":
                value = json.dumps(
                    [{"asset": images[2].id, "frame": 0}, {"asset": images[3].id, "frame": 60}]
                )
            data[key] = value
        data = {k: v for k, v in data.items() if v is not None}
        form = ComposeForm(data, membership=membership, sources=team_sources(personas.team))
        form.is_valid()
        return form

    return make


KF = "<keyframes>"
# rule name -> (form input, field that must carry the rule's message)
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "edit_source_required": ({"mode": "edit"}, "source"),
    "reframe_source_required": ({"mode": "reframe", "aspect_ratio": "9:16"}, "source"),
    "reframe_aspect_required": ({"mode": "reframe", "source": "<clip>"}, "aspect_ratio"),
    "keyframes_with_start_frame": ({"keyframes": KF, "start_frame": "<start>"}, "keyframes"),
    "keyframes_with_end_frame": ({"keyframes": KF, "end_frame": "<end>"}, "keyframes"),
    "loop_with_keyframes": ({"keyframes": KF, "loop": "on"}, "loop"),
    "ten_s_with_start_frame": ({"duration": "10s", "start_frame": "<start>"}, "duration"),
    "ten_s_with_end_frame": ({"duration": "10s", "end_frame": "<end>"}, "duration"),
    "ten_s_with_hdr": ({"duration": "10s", "hdr": "on"}, "duration"),
    "loop_with_ten_s": ({"duration": "10s", "loop": "on"}, "loop"),
    "loop_with_hdr": ({"hdr": "on", "loop": "on"}, "loop"),
    "loop_with_end_frame": (
        {"mode": "extend", "source": "<clip>", "direction": "backward", "loop": "on"},
        "loop",
    ),
    "hdr_low_resolution": ({"hdr": "on", "resolution": "540p"}, "hdr"),
    "exr_without_hdr": ({"exr_export": "on"}, "exr_export"),
    "edit_outside_edit": ({"edit_keyframes": KF}, "edit_keyframes"),
    "source_on_video": ({"source": "<clip>"}, "source"),
    "extend_from_both_anchors": (
        {"mode": "extend", "source": "<clip>", "end_frame": "<end>"},
        "end_frame",
    ),
    "extend_with_image_start": (
        {"mode": "extend", "source": "<clip>", "direction": "backward", "start_frame": "<start>"},
        "source",
    ),
    "hdr_with_image_start": ({"hdr": "on", "start_frame": "<start>"}, "hdr"),
    "hdr_with_image_end": ({"hdr": "on", "end_frame": "<end>"}, "hdr"),
    "extend_forward_hdr": ({"mode": "extend", "source": "<clip>", "hdr": "on"}, "hdr"),
    "extend_backward_hdr": (
        {"mode": "extend", "source": "<clip>", "direction": "backward", "hdr": "on"},
        "hdr",
    ),
    "source_position_outside_reframe": (
        {"pos_x": "0", "pos_y": "0", "pos_w": "1", "pos_h": "1"},
        "source_position",
    ),
    "edit_auto_with_manual": (
        {"mode": "edit", "source": "<clip>", "strength": "flex_2"},
        "controls_mode",
    ),
    "edit_end_frame": ({"mode": "edit", "source": "<clip>", "end_frame": "<end>"}, "end_frame"),
    "edit_loop": ({"mode": "edit", "source": "<clip>", "loop": "on"}, "loop"),
    "edit_video_keyframes": ({"mode": "edit", "source": "<clip>", "keyframes": KF}, "keyframes"),
    "edit_keyframes_with_start_frame": (
        {"mode": "edit", "source": "<clip>", "guide_frame": "<start>", "edit_keyframes": KF},
        "edit_keyframes",
    ),
    "reframe_1080p_portrait": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "9:16", "resolution": "1080p"},
        "resolution",
    ),
    "reframe_hdr": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "1:1", "hdr": "on"},
        "hdr",
    ),
    "reframe_exr": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "1:1", "exr_export": "on"},
        "exr_export",
    ),
    "reframe_loop": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "1:1", "loop": "on"},
        "loop",
    ),
    "reframe_start_frame": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "1:1", "start_frame": "<start>"},
        "start_frame",
    ),
    "reframe_end_frame": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "1:1", "end_frame": "<end>"},
        "end_frame",
    ),
    "reframe_keyframes": (
        {"mode": "reframe", "source": "<clip>", "aspect_ratio": "1:1", "keyframes": KF},
        "keyframes",
    ),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {rule.name for rule in RULES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_message_on_its_field(name: str, form_for: Any) -> None:
    fields, field = CASES[name]
    form = form_for(**fields)
    assert not form.is_valid()
    assert RULES_BY_NAME[name].message in form.errors.get(field, []), form.errors


VALID: list[dict[str, Any]] = [
    {},
    {"aspect_ratio": "21:9", "resolution": "1080p", "duration": "10s"},
    {"hdr": "on", "exr_export": "on"},
    {"start_frame": "<start>", "end_frame": "<end>"},
    {"start_frame": "<start>", "loop": "on"},
    {"keyframes": KF, "duration": "10s", "resolution": "1080p"},
    {"keyframes": KF, "hdr": "on", "exr_export": "on", "resolution": "1080p"},
    {"mode": "extend", "source": "<clip>", "loop": "on"},
    {"mode": "extend", "source": "<clip>", "direction": "backward"},
    {"mode": "edit", "source": "<clip>", "hdr": "on"},
    {"mode": "edit", "source": "<clip>", "controls_mode": "preset", "strength": "reimagine_3"},
    {
        "mode": "edit",
        "source": "<clip>",
        "controls_mode": "manual",
        "depth_enabled": "on",
        "depth_blur": "0.4",
        "pose_enabled": "on",
        "pose_strength": "coarse",
    },
    {"mode": "edit", "source": "<clip>", "edit_keyframes": KF},
    {"mode": "reframe", "source": "<clip>", "aspect_ratio": "9:16", "resolution": "720p"},
    {
        "mode": "reframe",
        "source": "<clip>",
        "aspect_ratio": "1:1",
        "pos_x": "0.1",
        "pos_y": "-0.2",
        "pos_w": "0.8",
        "pos_h": "1.4",
    },
]


@pytest.mark.parametrize("fields", VALID)
def test_allowed_combinations_pass(fields: dict[str, Any], form_for: Any) -> None:
    form = form_for(**fields)
    assert form.is_valid(), form.errors


def test_several_broken_rules_give_several_field_errors(form_for: Any) -> None:
    form = form_for(duration="10s", hdr="on", loop="on", resolution="360p", start_frame="<start>")
    assert not form.is_valid()
    assert set(form.errors) >= {"duration", "loop", "hdr"}
    assert RULES_BY_NAME["hdr_low_resolution"].message in form.errors["hdr"]
    assert RULES_BY_NAME["hdr_with_image_start"].message in form.errors["hdr"]


def test_prompt_is_required_in_words(form_for: Any) -> None:
    form = form_for(prompt="")
    assert form.errors["prompt"] == ["Write a prompt of 1 to 6,000 characters."]


def test_shared_keyframe_frame_is_refused(form_for: Any, image_asset: Any) -> None:
    a, b = image_asset(), image_asset()
    frames = json.dumps([{"asset": a.id, "frame": 30}, {"asset": b.id, "frame": 30}])
    form = form_for(keyframes=frames)
    assert form.errors["keyframes"] == ["Two keyframes can't share frame 30: move one of them."]


def test_keyframe_past_the_grid(form_for: Any, image_asset: Any) -> None:
    frames = json.dumps([{"asset": image_asset().id, "frame": 121}])
    form = form_for(keyframes=frames)
    assert form.errors["keyframes"] == [
        "A keyframe at frame 121 lies past the end of this duration."
    ]
    assert form_for(keyframes=frames, duration="10s").is_valid()


def test_sixty_five_keyframes_are_too_many(form_for: Any, image_asset: Any) -> None:
    asset = image_asset()
    frames = json.dumps([{"asset": asset.id, "frame": i} for i in range(65)])
    form = form_for(keyframes=frames, duration="10s")
    assert form.errors["keyframes"] == ["65 keyframes: at most 64."]


def test_another_teams_asset_is_not_usable(form_for: Any, personas: Personas) -> None:
    theirs = make_asset(personas.other_team, personas.outsider)
    form = form_for(start_frame=theirs.id)
    assert form.errors["start_frame"] == ["That image is no longer available: choose it again."]


def test_edit_source_longer_than_18s(form_for: Any, clip: Generation) -> None:
    Generation.objects.filter(pk=clip.pk).update(duration_s=20.0)
    form = form_for(mode="edit", source="<clip>")
    assert form.errors["source"] == ["That clip is 20.0 s long: a edit source can be at most 18 s."]


def test_body_is_what_the_wire_expects(form_for: Any, clip: Generation) -> None:
    form = form_for(mode="extend", source="<clip>", resolution="1080p", loop="on")
    assert form.is_valid(), form.errors
    body = form.body
    assert body["type"] == "video"
    assert body["video"] == {
        "resolution": "1080p",
        "duration": "5s",
        "loop": True,
        "start_frame": {"generation_id": str(clip.remote_id)},
    }
    assert "source" not in body


def test_form_body_keeps_the_studio_references(form_for: Any, clip: Generation) -> None:
    # The contract judged stand-ins for them; what is sent still names the team's files.
    form = form_for(mode="edit", source="<clip>", edit_keyframes=KF)
    assert form.is_valid(), form.errors
    assert form.body["source"] == {"generation_id": str(clip.remote_id)}
    assert all(
        ref["file_id"].startswith("asset:") for ref in form.body["video"]["edit"]["keyframes"]
    )


def test_reframe_source_longer_than_30s(form_for: Any, clip: Generation) -> None:
    Generation.objects.filter(pk=clip.pk).update(duration_s=31.0)
    form = form_for(mode="reframe", source="<clip>", aspect_ratio="1:1")
    assert form.errors["source"] == [
        "That clip is 31.0 s long: a reframe source can be at most 30 s."
    ]
    Generation.objects.filter(pk=clip.pk).update(duration_s=30.0)
    assert form_for(mode="reframe", source="<clip>", aspect_ratio="1:1").is_valid()


def test_uploaded_source_is_measured_like_a_clip(
    form_for: Any, personas: Personas, tmp_path: Any
) -> None:
    # 19 s at 2 fps keeps the file tiny; kept as a reframe source, offered to an edit.
    data = write_mp4(tmp_path / "long.mp4", frames=38, width=64, height=36, fps=2).read_bytes()
    upload = make_asset(personas.team, personas.editor, data, want="video", purpose="reframe")
    form = form_for(mode="edit", source=f"a:{upload.id}")
    assert form.errors["source"] == ["That clip is 19.0 s long: a edit source can be at most 18 s."]
    assert form_for(mode="reframe", source=f"a:{upload.id}", aspect_ratio="1:1").is_valid()


def test_edit_keyframe_past_the_source(form_for: Any, clip: Generation, image_asset: Any) -> None:
    # A 5 s source ends at frame 120 of the 24 fps grid; a 10 s one at 240.
    frames = json.dumps(
        [{"asset": image_asset().id, "frame": 0}, {"asset": image_asset().id, "frame": 130}]
    )
    form = form_for(mode="edit", source="<clip>", edit_keyframes=frames)
    assert form.errors["edit_keyframes"] == [
        "A keyframe at frame 130 lies past the end of the source video."
    ]
    Generation.objects.filter(pk=clip.pk).update(duration_s=10.0)
    assert form_for(mode="edit", source="<clip>", edit_keyframes=frames).is_valid()


def test_long_source_shows_beside_a_broken_rule(form_for: Any, clip: Generation) -> None:
    Generation.objects.filter(pk=clip.pk).update(duration_s=20.0)
    form = form_for(mode="edit", source="<clip>", loop="on")
    assert form.errors["source"] == ["That clip is 20.0 s long: a edit source can be at most 18 s."]
    assert form.errors["loop"] == [RULES_BY_NAME["edit_loop"].message]


def test_source_of_unknown_length_is_left_to_the_api(
    form_for: Any, personas: Personas, image_asset: Any
) -> None:
    # An edit whose video has not been downloaded yet: the studio does not know its length.
    unmeasured = Generation.objects.create(
        team=personas.team,
        author=personas.editor,
        prompt="an edit of a lighthouse",
        kind="video_edit",
        state=Generation.State.COMPLETED,
        remote_id=uuid.uuid4(),
    )
    frames = json.dumps([{"asset": image_asset().id, "frame": 200}])
    form = form_for(mode="edit", source=f"g:{unmeasured.id}", edit_keyframes=frames)
    assert form.is_valid(), form.errors
    form = form_for(mode="extend", source=f"g:{unmeasured.id}")
    assert form.is_valid(), form.errors
