"""Property tests: no body, however odd, gets anything from validate but a
GenerationRequest or a ContractError; and on well-shaped bodies the outcome is
exactly what the rule table says."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.contract import (
    ASPECT_RATIOS,
    MODEL,
    RESOLUTIONS,
    STRENGTHS,
    ContractError,
    GenerationRequest,
    broken_rules,
    facts_of,
    max_index,
    validate,
)

from .bodies import IMG, PNG, PRIOR, READY_FILE, Server, edit, keyframes, reframe, video

FIELD_NAMES = [
    "model", "type", "prompt", "aspect_ratio", "source", "user_id", "video", "resolution",
    "duration", "loop", "hdr", "exr_export", "start_frame", "end_frame", "keyframes",
    "keyframe_indexes", "edit", "source_position", "url", "data", "generation_id", "file_id",
    "media_type", "auto_controls", "strength", "controls", "depth", "blur", "pose",
    "x_norm", "w_norm",
]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [MODEL, "video", "video_edit", "video_reframe", "720p", "10s", "16:9", "9:16", PRIOR]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=25,
)
VALID_BODIES = [
    video(),
    video(**keyframes([0, 60, 120]), hdr=True, exr_export=True),
    video(start_frame={"generation_id": PRIOR}, loop=True),
    video(start_frame=IMG, end_frame={"data": PNG, "media_type": "image/png"}),
    edit(edit={"strength": "flex_1", "keyframes": [{"file_id": READY_FILE}], "keyframe_indexes": [3]}),
    edit(edit={"controls": {"depth": {"enabled": True, "blur": 0.2}, "pose": {"strength": "precise"}}}),
    reframe("4:3", source_position={"x_norm": 0, "y_norm": 0, "w_norm": 1, "h_norm": 1}),
]  # fmt: skip


def _outcome(body: object) -> GenerationRequest | ContractError:
    try:
        return validate(body, Server())
    except ContractError as exc:
        assert exc.status in (400, 413, 422)
        assert exc.detail and isinstance(exc.detail, str)
        return exc


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_arbitrary_json_gives_only_contract_errors(body: object) -> None:
    _outcome(body)


@settings(max_examples=300)
@given(st.fixed_dictionaries({"model": st.just(MODEL), "type": st.sampled_from(
    ["video", "video_edit", "video_reframe"]), "prompt": st.just("p")}, optional={
    "video": JSON, "source": JSON, "aspect_ratio": JSON, "user_id": JSON}))  # fmt: skip
def test_arbitrary_parts_under_a_good_top_level(body: dict[str, Any]) -> None:
    _outcome(body)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, (*prefix, i))
    return found


@settings(max_examples=400)
@given(st.sampled_from(VALID_BODIES), st.data())
def test_mutations_of_a_valid_body(base: dict[str, Any], data: st.DataObject) -> None:
    body = copy.deepcopy(base)
    path = data.draw(st.sampled_from(_paths(body)))
    holder: Any = body
    for step in path[:-1]:
        holder = holder[step]
    if isinstance(holder, dict) and data.draw(st.booleans()):
        del holder[path[-1]]
    else:
        holder[path[-1]] = data.draw(JSON)
    result = _outcome(body)
    if isinstance(result, GenerationRequest):
        # Whatever validate lets through breaks no rule of the table.
        assert broken_rules(facts_of(result)) == []


def test_valid_bodies_pass() -> None:
    for body in VALID_BODIES:
        assert broken_rules(facts_of(validate(body, Server()))) == []


ANCHORS = st.sampled_from([None, IMG, {"generation_id": PRIOR}])


@st.composite
def shaped_video_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Bodies right in every value on its own: only the rule table can refuse them."""
    duration = draw(st.sampled_from(["5s", "10s"]))
    options: dict[str, Any] = {
        "resolution": draw(st.sampled_from(RESOLUTIONS)),
        "duration": duration,
        "loop": draw(st.booleans()),
        "hdr": draw(st.booleans()),
        "exr_export": draw(st.booleans()),
        "start_frame": draw(ANCHORS),
        "end_frame": draw(ANCHORS),
    }
    if draw(st.booleans()):
        top = max_index(duration)
        indexes = draw(st.lists(st.integers(0, top), min_size=1, max_size=6, unique=True))
        options.update(keyframes(indexes))
    kind = draw(st.sampled_from(["video", "video_edit", "video_reframe"]))
    body: dict[str, Any] = {"model": MODEL, "type": kind, "prompt": "p", "video": options}
    if kind == "video":
        body["aspect_ratio"] = draw(st.sampled_from([None, *ASPECT_RATIOS]))
    else:
        body["source"] = {"generation_id": PRIOR}
        body["aspect_ratio"] = draw(st.sampled_from(ASPECT_RATIOS))
    if kind == "video_edit" and draw(st.booleans()):
        options["edit"] = {
            "auto_controls": draw(st.booleans()),
            "strength": draw(st.sampled_from([None, *STRENGTHS])),
        }
    return body


@settings(max_examples=500)
@given(shaped_video_bodies())
def test_well_shaped_bodies_follow_the_table(body: dict[str, Any]) -> None:
    broken = broken_rules(facts_of(GenerationRequest.model_validate(body)))
    result = _outcome(body)
    if broken:
        assert isinstance(result, ContractError)
        assert (result.status, result.detail) == (broken[0].status, broken[0].detail)
    else:
        assert isinstance(result, GenerationRequest)
