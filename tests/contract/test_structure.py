"""Shape checks (400s), structural 422s and their order."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from studio.contract import ASPECT_RATIOS, ContractError, decode_data, validate
from studio.contract.errors import ASPECT_RATIOS_LISTED

from .bodies import IMG, PNG, PRIOR, edit, keyframes, reframe, video, with_top

EXACTLY_ONE = "provide exactly one of 'url', 'data', 'generation_id' or 'file_id'"
BAD_ASPECT = "Invalid aspect_ratio '{}'. Valid: 1:1, 16:9, 21:9, 3:4, 4:3, 9:16"


def _video_of(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return with_top(body, video={**body["video"], **fields})


CASES: list[tuple[str, object, int, str]] = [
    ("not an object", [1, 2], 400, "body: must be a JSON object"),
    ("model missing", {"type": "video", "prompt": "p"}, 400, "model: is required"),
    ("unknown model", with_top(video(), model="ray-2"), 400, "Unknown model: ray-2"),
    ("model not a string", with_top(video(), model=3), 400, "Unknown model: 3"),
    ("type missing", {"model": "ray-3.2", "prompt": "p"}, 400, "type: is required"),
    ("image type", with_top(video(), type="image"), 400,
     "Type 'image' is not supported for model 'ray-3.2'"),
    ("type a list", with_top(video(), type=["video"]), 400,
     "Type '['video']' is not supported for model 'ray-3.2'"),
    ("unknown top field", with_top(video(), style="manga"), 400, "style: unknown field"),
    ("prompt missing", {"model": "ray-3.2", "type": "video"}, 400,
     "Prompt must be between 1 and 6000 characters"),
    ("prompt empty", with_top(video(), prompt=""), 400,
     "Prompt must be between 1 and 6000 characters"),
    ("prompt too long", with_top(video(), prompt="x" * 6001), 400,
     "Prompt must be between 1 and 6000 characters"),
    ("prompt an int", with_top(video(), prompt=7), 400, "prompt: must be a string"),
    ("aspect ratio", with_top(video(), aspect_ratio="2:1"), 400, BAD_ASPECT.format("2:1")),
    ("aspect ratio number", with_top(video(), aspect_ratio=1.5), 400, BAD_ASPECT.format("1.5")),
    ("video a string", with_top(video(), video="720p"), 400, "video: must be an object"),
    ("unknown video field", video(fps=30), 400, "video.fps: unknown field"),
    ("resolution", video(resolution="4k"), 400,
     "video.resolution: must be one of 360p, 540p, 720p, 1080p"),
    ("duration", video(duration=5), 400, "video.duration: must be one of 5s, 10s"),
    ("loop a list", video(loop=[True]), 400, "video.loop: must be a boolean"),
    ("hdr a string", video(hdr="true"), 400, "video.hdr: must be a boolean"),
    ("exr an int", video(exr_export=1), 400, "video.exr_export: must be a boolean"),
    ("ref empty", video(start_frame={}), 400, f"video.start_frame: {EXACTLY_ONE}"),
    ("ref two kinds", video(end_frame={"url": "u", "generation_id": PRIOR}), 400,
     f"video.end_frame: {EXACTLY_ONE}"),
    ("ref a string", video(start_frame="https://example.com/a.jpg"), 400,
     "video.start_frame: must be an object"),
    ("ref value an int", video(start_frame={"url": 5}), 400,
     "video.start_frame.url: must be a string"),
    ("ref unknown key", video(start_frame={"uri": "u"}), 400,
     "video.start_frame.uri: unknown field"),
    ("keyframe ref", video(keyframes=[IMG, IMG, {}], keyframe_indexes=[0, 1, 2]), 400,
     f"video.keyframes[2]: {EXACTLY_ONE}"),
    ("edit keyframe ref", edit(edit={"keyframes": [{"file_id": None}], "keyframe_indexes": [0]}),
     400, f"video.edit.keyframes[0]: {EXACTLY_ONE}"),
    ("source ref", with_top(edit(), source={"url": "u", "data": "AAAA"}), 400,
     f"source: {EXACTLY_ONE}"),
    ("data without media_type", video(start_frame={"data": PNG}), 400,
     "video.start_frame: 'media_type' is required with 'data'"),
    ("keyframes a dict", video(keyframes={"0": IMG}, keyframe_indexes=[0]), 400,
     "video.keyframes: must be a list"),
    ("keyframes empty", video(keyframes=[], keyframe_indexes=[]), 400,
     "video.keyframes: must hold between 1 and 64 images"),
    ("keyframes 65", video(**keyframes(list(range(65)))), 400,
     "video.keyframes: must hold between 1 and 64 images"),
    ("edit keyframes 65", edit(edit=keyframes(list(range(65)))), 400,
     "video.edit.keyframes: must hold between 1 and 64 images"),
    ("index negative", video(keyframes=[IMG, IMG], keyframe_indexes=[0, -1]), 400,
     "video.keyframe_indexes[1]: must be a unique non-negative integer"),
    ("index repeated", video(keyframes=[IMG, IMG, IMG], keyframe_indexes=[5, 9, 5]), 400,
     "video.keyframe_indexes[2]: must be a unique non-negative integer"),
    ("index a float", video(keyframes=[IMG], keyframe_indexes=[1.0]), 400,
     "video.keyframe_indexes[0]: must be a unique non-negative integer"),
    ("index a bool", video(keyframes=[IMG], keyframe_indexes=[True]), 400,
     "video.keyframe_indexes[0]: must be a unique non-negative integer"),
    ("indexes a string", video(keyframes=[IMG], keyframe_indexes="0"), 400,
     "video.keyframe_indexes: must be a list"),
    ("edit index repeated", edit(edit={"keyframes": [IMG, IMG], "keyframe_indexes": [3, 3]}),
     400, "video.edit.keyframe_indexes[1]: must be a unique non-negative integer"),
    ("position a list", reframe(source_position=[0, 0, 1, 1]), 400,
     "video.source_position: must be an object"),
    ("position missing h", reframe(source_position={"x_norm": 0, "y_norm": 0, "w_norm": 1}),
     400, "video.source_position.h_norm: is required"),
    ("position x out", reframe(source_position={"x_norm": -2.5, "y_norm": 0, "w_norm": 1,
                                                "h_norm": 1}), 400,
     "video.source_position.x_norm: must be a number between -2.0 and 2.0"),
    ("position w zero", reframe(source_position={"x_norm": 0, "y_norm": 0, "w_norm": 0,
                                                 "h_norm": 1}), 400,
     "video.source_position.w_norm: must be a number above 0 and at most 2.0"),
    ("position y a bool", reframe(source_position={"x_norm": 0, "y_norm": True, "w_norm": 1,
                                                   "h_norm": 1}), 400,
     "video.source_position.y_norm: must be a number between -2.0 and 2.0"),
    ("position nan", reframe(source_position={"x_norm": 0, "y_norm": 0, "w_norm": 1,
                                              "h_norm": float("nan")}), 400,
     "video.source_position.h_norm: must be a number above 0 and at most 2.0"),
    ("edit a list", edit(edit=[]), 400, "video.edit: must be an object"),
    ("edit strength", edit(edit={"strength": "adhere_4"}), 400,
     "video.edit.strength: must be one of adhere_1, adhere_2, adhere_3, flex_1, flex_2, "
     "flex_3, reimagine_1, reimagine_2, reimagine_3"),
    ("auto_controls a string", edit(edit={"auto_controls": "yes"}), 400,
     "video.edit.auto_controls: must be a boolean"),
    ("controls a string", edit(edit={"controls": "depth"}), 400,
     "video.edit.controls: must be an object"),
    ("unknown control", edit(edit={"controls": {"canny": {}}}), 400,
     "video.edit.controls.canny: unknown field"),
    ("depth blur", edit(edit={"controls": {"depth": {"blur": 1.5}}}), 400,
     "video.edit.controls.depth.blur: must be a number between 0 and 1"),
    ("trajectory sparsity", edit(edit={"controls": {"trajectory": {"sparsity": "0.5"}}}), 400,
     "video.edit.controls.trajectory.sparsity: must be a number between 0 and 1"),
    ("normals enabled", edit(edit={"controls": {"normals": {"enabled": 0}}}), 400,
     "video.edit.controls.normals.enabled: must be a boolean"),
    ("pose strength", edit(edit={"controls": {"pose": {"strength": "loose"}}}), 400,
     "video.edit.controls.pose.strength: must be one of precise, coarse"),
    ("user_id long", with_top(video(), user_id="u" * 257), 400,
     "user_id: must be at most 256 characters"),
    ("user_id an int", with_top(video(), user_id=12), 400, "user_id: must be a string"),
    # Structural 422s
    ("keyframes alone", video(keyframes=[IMG]), 422,
     "video.keyframe_indexes: must be given with video.keyframes and have the same length"),
    ("indexes alone", video(keyframe_indexes=[0]), 422,
     "video.keyframe_indexes: must be given with video.keyframes and have the same length"),
    ("lengths differ", video(keyframes=[IMG, IMG], keyframe_indexes=[0]), 422,
     "video.keyframe_indexes: must be given with video.keyframes and have the same length"),
    ("edit lengths differ", edit(edit={"keyframes": [IMG], "keyframe_indexes": [0, 1]}), 422,
     "video.edit.keyframe_indexes: must be given with video.edit.keyframes and have the "
     "same length"),
    ("index past 5s", video(**keyframes([0, 121])), 422,
     "video.keyframe_indexes[1]: 121 is outside 0..120 for duration 5s"),
    ("index past 10s", video(duration="10s", **keyframes([241])), 422,
     "video.keyframe_indexes[0]: 241 is outside 0..240 for duration 10s"),
    ("index past default", video(keyframes=[IMG], keyframe_indexes=[200], duration=None), 422,
     "video.keyframe_indexes[0]: 200 is outside 0..120 for duration 5s"),
    ("edit source an image url", with_top(edit(), source={"url": "https://example.com/a.jpg"}),
     422, "source: must be a video: a completed video generation_id, a file_id, or "
     "'url'/'data' with a video/* 'media_type'"),
    ("reframe source image data", with_top(reframe(), source={"data": PNG,
                                                              "media_type": "image/png"}),
     422, "source: must be a video: a completed video generation_id, a file_id, or "
     "'url'/'data' with a video/* 'media_type'"),
    ("bad base64", video(start_frame={"data": "not base64!", "media_type": "image/png"}), 422,
     "video.start_frame: invalid base64 data"),
    ("bad base64 keyframe", video(keyframes=[IMG, {"data": "@@@", "media_type": "image/png"}],
                                  keyframe_indexes=[0, 1]), 422,
     "video.keyframes[1]: invalid base64 data"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "body", "status", "detail"), CASES)
def test_structural(label: str, body: object, status: int, detail: str) -> None:
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert (caught.value.status, caught.value.detail) == (status, detail)


def test_order_400s_before_422s() -> None:
    # The bad resolution is reported although a pairing 422 and a rule 422 are there too.
    body = video(resolution="8k", keyframes=[IMG], loop=True, hdr=True, duration="10s")
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert caught.value.status == 400
    assert caught.value.path == "video.resolution"


def test_order_structure_before_rules() -> None:
    body = video(keyframes=[IMG, IMG], keyframe_indexes=[0], loop=True)
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert caught.value.path == "video.keyframe_indexes"


def test_order_model_then_type_then_prompt() -> None:
    with pytest.raises(ContractError) as caught:
        validate({"model": "ray-9", "type": "nope", "prompt": ""})
    assert caught.value.detail == "Unknown model: ray-9"
    with pytest.raises(ContractError) as caught:
        validate({"model": "ray-3.2", "type": "nope", "prompt": ""})
    assert caught.value.detail == "Type 'nope' is not supported for model 'ray-3.2'"


def test_required_source_comes_before_structural_422() -> None:
    body = edit(edit={"keyframes": [IMG], "keyframe_indexes": [0, 1]})
    del body["source"]
    with pytest.raises(ContractError) as caught:
        validate(body)
    assert caught.value.detail == "source is required for type 'video_edit'"


def test_error_carries_path() -> None:
    with pytest.raises(ContractError) as caught:
        validate(video(keyframes=[IMG, IMG, {}], keyframe_indexes=[0, 1, 2]))
    assert caught.value.path == "video.keyframes[2]"
    assert caught.value.as_body() == {"detail": caught.value.detail}


def test_image_over_50_mb_is_413() -> None:
    data = base64.b64encode(bytes(50_000_001)).decode()
    with pytest.raises(ContractError) as caught:
        validate(video(start_frame={"data": data, "media_type": "image/png"}))
    assert (caught.value.status, caught.value.detail) == (
        413,
        "video.start_frame: image exceeds 50 MB limit",
    )


def test_video_source_limit_is_200_mb_not_50() -> None:
    ok = base64.b64encode(bytes(50_000_001)).decode()
    validate(with_top(edit(), source={"data": ok, "media_type": "video/mp4"}))


def test_decode_data_accepts_wrapped_base64() -> None:
    text = base64.encodebytes(b"frame bytes " * 20).decode()
    assert "\n" in text
    assert decode_data(text, "source") == b"frame bytes " * 20
    with pytest.raises(ContractError) as caught:
        decode_data("é", "source")
    assert caught.value.detail == "source: invalid base64 data"


def test_edit_ignores_duration_grid_for_video_keyframes_pairing() -> None:
    # On video_edit the table refuses video.keyframes itself, which says more than
    # a pairing complaint would.
    with pytest.raises(ContractError) as caught:
        validate(edit(keyframes=[IMG], duration="5s"))
    assert caught.value.detail.startswith("video.keyframes: not supported for type 'video_edit'")


def test_returns_typed_request() -> None:
    request = validate(video(**keyframes([0, 60])))
    assert request.options.keyframe_indexes == [0, 60]
    assert request.options.keyframes[0].kind == "url"
    assert request.to_wire()["video"]["keyframe_indexes"] == [0, 60]


def test_listed_aspect_ratios_are_the_six() -> None:
    assert sorted(ASPECT_RATIOS_LISTED.split(", ")) == sorted(ASPECT_RATIOS)
