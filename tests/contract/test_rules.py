"""Every row of the rule table, each broken on its own, and combinations that pass."""

from __future__ import annotations

import json
from typing import Any

import pytest

from studio.contract import (
    RULES,
    ContractError,
    GenerationRequest,
    broken_rules,
    facts_of,
    rules_as_json,
    validate,
)

from .bodies import IMG, PRIOR, Server, edit, keyframes, reframe, video, with_top

FWD = {"generation_id": PRIOR}
ANCHOR_MSG = "video.keyframes: cannot be combined with video.start_frame or video.end_frame"
INTERP = (
    "video.end_frame: interpolation from a prior generation is not available; "
    "use a single generation_id"
)
HDR_IMAGE = (
    "video.hdr: not supported with video.start_frame or video.end_frame; use video.keyframes"
)
EXTEND_SDR = "video.hdr: extend is standard dynamic range only"

# (rule name, a body breaking that rule and no other, status, exact detail)
CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("edit_source_required", {k: v for k, v in edit().items() if k != "source"}, 400,
     "source is required for type 'video_edit'"),
    ("reframe_source_required", {k: v for k, v in reframe().items() if k != "source"}, 400,
     "source is required for type 'video_reframe'"),
    ("reframe_aspect_required", reframe(aspect_ratio=None), 400,
     "aspect_ratio is required for type 'video_reframe'"),
    ("keyframes_with_start_frame", video(start_frame=IMG, **keyframes([0, 60])), 422,
     ANCHOR_MSG),
    ("keyframes_with_end_frame", video(end_frame=IMG, **keyframes([0, 60])), 422,
     ANCHOR_MSG),
    ("loop_with_keyframes", video(loop=True, **keyframes([0])), 422,
     "video.loop: not supported with video.keyframes"),
    ("ten_s_with_start_frame", video(duration="10s", start_frame=IMG), 422,
     "video.duration: 10s is not supported with video.start_frame or video.end_frame"),
    ("ten_s_with_end_frame", video(duration="10s", end_frame=IMG), 422,
     "video.duration: 10s is not supported with video.start_frame or video.end_frame"),
    ("ten_s_with_hdr", video(duration="10s", hdr=True), 422,
     "video.duration: 10s is not supported with video.hdr"),
    ("loop_with_ten_s", video(duration="10s", loop=True), 422,
     "video.loop: not supported with duration 10s"),
    ("loop_with_hdr", video(loop=True, hdr=True), 422,
     "video.loop: not supported with video.hdr"),
    ("loop_with_end_frame", video(loop=True, end_frame=IMG), 422,
     "video.loop: not supported with video.end_frame"),
    ("hdr_low_resolution", video(resolution="540p", hdr=True), 422,
     "video.hdr: requires resolution 720p or 1080p"),
    ("exr_without_hdr", video(exr_export=True), 422,
     "video.exr_export: requires video.hdr"),
    ("edit_outside_edit", video(edit={"auto_controls": True}), 422,
     "video.edit: only valid for type 'video_edit'"),
    ("source_on_video", with_top(video(), source=FWD), 422,
     "source: not valid for type 'video'; extend with video.start_frame.generation_id "
     "or video.end_frame.generation_id"),
    ("extend_from_both_anchors", video(start_frame=FWD, end_frame=IMG), 422, INTERP),
    ("extend_with_image_start", video(start_frame=IMG, end_frame=FWD), 422, INTERP),
    ("hdr_with_image_start", video(hdr=True, start_frame=IMG), 422, HDR_IMAGE),
    ("hdr_with_image_end", video(hdr=True, end_frame=IMG), 422, HDR_IMAGE),
    ("extend_forward_hdr", video(hdr=True, start_frame=FWD), 422, EXTEND_SDR),
    ("extend_backward_hdr", video(hdr=True, end_frame=FWD), 422, EXTEND_SDR),
    ("source_position_outside_reframe",
     video(source_position={"x_norm": 0, "y_norm": 0, "w_norm": 1, "h_norm": 1}), 422,
     "video.source_position: only valid for type 'video_reframe'"),
    ("edit_auto_with_manual", edit(edit={"auto_controls": True, "strength": "flex_2"}), 422,
     "video.edit.auto_controls: cannot be combined with video.edit.strength "
     "or video.edit.controls"),
    ("edit_end_frame", edit(end_frame=IMG), 422,
     "video.end_frame: not supported for type 'video_edit'"),
    ("edit_loop", edit(loop=True), 422, "video.loop: not supported for type 'video_edit'"),
    ("edit_video_keyframes", edit(**keyframes([0, 10])), 422,
     "video.keyframes: not supported for type 'video_edit'; use video.edit.keyframes"),
    ("edit_keyframes_with_start_frame", edit(start_frame=IMG, edit=keyframes([0])), 422,
     "video.edit.keyframes: cannot be combined with video.start_frame"),
    ("reframe_1080p_portrait", reframe("3:4", resolution="1080p"), 422,
     "video.resolution: 1080p reframe to 9:16 and 3:4 is not available yet; "
     "use 720p, 540p or 360p"),
    ("reframe_hdr", reframe(hdr=True), 422, "video.hdr: not supported for type 'video_reframe'"),
    ("reframe_exr", reframe(exr_export=True), 422,
     "video.exr_export: not supported for type 'video_reframe'"),
    ("reframe_loop", reframe(loop=True), 422, "video.loop: not supported for type 'video_reframe'"),
    ("reframe_start_frame", reframe(start_frame=IMG), 422,
     "video.start_frame: not supported for type 'video_reframe'"),
    ("reframe_end_frame", reframe(end_frame=FWD), 422,
     "video.end_frame: not supported for type 'video_reframe'"),
    ("reframe_keyframes", reframe(**keyframes([0])), 422,
     "video.keyframes: not supported for type 'video_reframe'"),
]  # fmt: skip


def test_every_rule_has_a_case() -> None:
    assert sorted(case[0] for case in CASES) == sorted(rule.name for rule in RULES)


@pytest.mark.parametrize(("name", "body", "status", "detail"), CASES)
def test_rule_breaks_alone(name: str, body: dict[str, Any], status: int, detail: str) -> None:
    # The facts come from the shape alone, so they can be read off a request that
    # validate itself would refuse.
    facts = facts_of(GenerationRequest.model_validate(body))
    assert [rule.name for rule in broken_rules(facts)] == [name]
    with pytest.raises(ContractError) as caught:
        validate(body, Server())
    assert (caught.value.status, caught.value.detail) == (status, detail)


@pytest.mark.parametrize(("name", "body", "status", "detail"), CASES)
def test_rule_breaks_without_resolver(
    name: str, body: dict[str, Any], status: int, detail: str
) -> None:
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert (caught.value.status, caught.value.detail) == (status, detail)


PASSING: list[tuple[str, dict[str, Any]]] = [
    ("text to video", video()),
    ("keyframes with 10s", video(duration="10s", **keyframes([0, 120, 240]))),
    ("keyframes with hdr at 720p", video(hdr=True, **keyframes([0, 60, 120]))),
    ("keyframes with hdr and exr at 1080p",
     video(resolution="1080p", hdr=True, exr_export=True, **keyframes([0]))),
    ("loop with a start frame", video(loop=True, start_frame=IMG)),
    ("loop on a forward extend", video(loop=True, start_frame=FWD)),
    ("backward extend", video(end_frame=FWD)),
    ("start and end frames", video(start_frame=IMG, end_frame={"data": "AAAA",
                                                               "media_type": "image/png"})),
    ("a single keyframe at index 0", video(**keyframes([0]))),
    ("64 keyframes at 0..63", video(**keyframes(list(range(64))))),
    ("index 120 on 5s", video(**keyframes([120]))),
    ("index 240 on 10s", video(duration="10s", **keyframes([240]))),
    ("hdr at 1080p", video(resolution="1080p", hdr=True)),
    ("10s at 360p", video(resolution="360p", duration="10s")),
    ("reframe 1080p 16:9", reframe("16:9", resolution="1080p")),
    ("reframe 720p 9:16 placed", reframe("9:16", source_position={
        "x_norm": -0.5, "y_norm": 2, "w_norm": 2, "h_norm": 0.25})),
    ("edit with auto_controls", edit(edit={"auto_controls": True})),
    ("edit with a strength preset", edit(edit={"strength": "reimagine_3"})),
    ("edit with controls", edit(edit={"controls": {
        "depth": {"enabled": True, "blur": 0.5}, "face": {"enabled": False},
        "normals": {"augmentation": 1}, "pose": {"strength": "coarse"},
        "trajectory": {"enabled": True, "sparsity": 0}}})),
    ("edit with a guide frame", edit(start_frame=IMG)),
    ("edit keyframes on the source grid", edit(edit=keyframes([0, 120]))),
    ("edit hdr exr", edit(hdr=True, exr_export=True)),
    ("edit from a url video", with_top(edit(), source={
        "url": "https://example.com/in.mp4", "media_type": "video/mp4"})),
    ("nulls are absent", with_top(video(loop=None, hdr=None), aspect_ratio=None, user_id=None)),
]  # fmt: skip


@pytest.mark.parametrize(("label", "body"), PASSING)
def test_combination_passes(label: str, body: dict[str, Any]) -> None:
    request = validate(body, Server())
    assert request.type == body["type"]
    assert broken_rules(facts_of(request)) == []


@pytest.mark.parametrize("anchor", ["start_frame", "end_frame"])
def test_extend_asking_for_exr_is_refused(anchor: str) -> None:
    with pytest.raises(ContractError) as caught:
        validate(video(hdr=True, exr_export=True, **{anchor: FWD}))
    assert (caught.value.status, caught.value.detail) == (422, EXTEND_SDR)
    with pytest.raises(ContractError) as caught:
        validate(video(exr_export=True, **{anchor: FWD}))
    assert caught.value.detail == "video.exr_export: requires video.hdr"


def test_facts_are_the_documented_names() -> None:
    facts = facts_of(validate(video(start_frame=FWD, loop=True)))
    assert facts == {
        "type": "video",
        "resolution": "720p",
        "duration": "5s",
        "aspect_ratio": None,
        "loop": True,
        "hdr": False,
        "exr_export": False,
        "start_frame": "generation",
        "end_frame": "none",
        "keyframes": False,
        "edit": False,
        "edit_keyframes": False,
        "auto_controls": False,
        "strength_or_controls": False,
        "source": False,
        "source_position": False,
    }


def test_defaults_fill_the_facts() -> None:
    body = video()
    del body["video"]
    facts = facts_of(validate(body))
    assert (facts["resolution"], facts["duration"]) == ("720p", "5s")


def test_rules_as_json_round_trips() -> None:
    rows = json.loads(json.dumps(rules_as_json()))
    assert [row["name"] for row in rows] == [rule.name for rule in RULES]
    by_name = {row["name"]: row for row in rows}
    assert by_name["hdr_low_resolution"]["when"] == {"hdr": True, "resolution": ["360p", "540p"]}
    assert by_name["reframe_aspect_required"]["when"] == {"aspect_ratio": None}
    for row in rows:
        assert set(row) == {"name", "types", "when", "status", "field", "message", "detail"}
        assert row["detail"].startswith(row["field"]) or row["status"] == 400
        assert row["message"].endswith(".")


def test_broken_rules_keeps_table_order() -> None:
    facts = facts_of(GenerationRequest.model_validate(video(duration="10s", loop=True, hdr=True)))
    names = [rule.name for rule in broken_rules(facts)]
    assert names == ["ten_s_with_hdr", "loop_with_ten_s", "loop_with_hdr"]
    with pytest.raises(ContractError) as caught:
        validate(video(duration="10s", loop=True, hdr=True))
    assert caught.value.detail == "video.duration: 10s is not supported with video.hdr"


def test_facts_need_exact_types() -> None:
    # The browser sends JSON: 1 is not true, and a missing fact never matches.
    facts = facts_of(validate(video()))
    assert broken_rules({**facts, "loop": 1, "hdr": 1}) == []
    assert broken_rules({"type": "video"}) == []
