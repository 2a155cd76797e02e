"""Reference checks that need the server's data, through a RefResolver."""

from __future__ import annotations

from typing import Any

import pytest

from studio.contract import ContractError, validate

from .bodies import (
    HALF_MINUTE,
    IMG,
    LONG_PRIOR,
    PENDING_FILE,
    PRIOR,
    READY_FILE,
    UNKNOWN,
    Server,
    edit,
    keyframes,
    reframe,
    video,
    with_top,
)

NO_FILE = "{}.file_id: no ready file with this id"
NO_VIDEO = "{}.generation_id: no completed video generation with this id"

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("pending file", video(start_frame={"file_id": PENDING_FILE}), NO_FILE.format("video.start_frame")),
    ("unknown file", video(**{**keyframes([0, 1]), "keyframes": [IMG, {"file_id": UNKNOWN}]}),
     NO_FILE.format("video.keyframes[1]")),
    ("file id not a uuid", video(end_frame={"file_id": "../etc"}), NO_FILE.format("video.end_frame")),
    ("unknown extend", video(start_frame={"generation_id": UNKNOWN}),
     NO_VIDEO.format("video.start_frame")),
    ("extend id not a uuid", video(end_frame={"generation_id": "latest"}),
     NO_VIDEO.format("video.end_frame")),
    ("unknown edit source", with_top(edit(), source={"generation_id": UNKNOWN}),
     NO_VIDEO.format("source")),
    ("unknown reframe source", with_top(reframe(), source={"generation_id": UNKNOWN}),
     NO_VIDEO.format("source")),
    ("edit keyframe file", edit(edit={"keyframes": [{"file_id": PENDING_FILE}],
                                      "keyframe_indexes": [0]}),
     NO_FILE.format("video.edit.keyframes[0]")),
    ("edit source over 18 s", with_top(edit(), source={"generation_id": LONG_PRIOR}),
     "source: video is longer than 18 seconds"),
    ("reframe source over 30 s", with_top(reframe(), source={"generation_id": HALF_MINUTE}),
     "source: video is longer than 30 seconds"),
    ("edit keyframe past the source grid", edit(edit=keyframes([0, 121])),
     "video.edit.keyframe_indexes[1]: 121 is outside 0..120 for the source video"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "body", "detail"), CASES)
def test_ref_check(label: str, body: dict[str, Any], detail: str) -> None:
    with pytest.raises(ContractError) as caught:
        validate(body, Server())
    assert (caught.value.status, caught.value.detail) == (422, detail)
    # Without a resolver (a client's pre-flight) the same body passes.
    validate(body)


def test_ids_that_are_not_uuids_never_reach_the_resolver() -> None:
    server = Server()
    with pytest.raises(ContractError):
        validate(video(start_frame={"generation_id": "'; drop table"}), server)
    assert server.asked == []


def test_known_refs_pass() -> None:
    body = video(**{**keyframes([0, 60, 120]), "keyframes": [
        {"file_id": READY_FILE}, {"generation_id": PRIOR}, IMG]})  # fmt: skip
    server = Server()
    validate(body, server)
    assert server.asked == [READY_FILE, PRIOR]


def test_long_source_allows_a_wider_edit_grid() -> None:
    # 20 s is over the edit limit; 18 s exactly is not, and gives 0..432.
    server = Server()
    eighteen = "3f2e1d0c-b9a8-4766-9554-433221100fed"
    server.videos[eighteen] = 18.0
    body = with_top(edit(edit=keyframes([0, 432])), source={"generation_id": eighteen})
    validate(body, server)
    body = with_top(edit(edit=keyframes([433])), source={"generation_id": eighteen})
    with pytest.raises(ContractError) as caught:
        validate(body, server)
    assert caught.value.detail.endswith("433 is outside 0..432 for the source video")


def test_rules_come_before_lookups() -> None:
    body = video(loop=True, hdr=True, start_frame={"file_id": UNKNOWN})
    with pytest.raises(ContractError) as caught:
        validate(body, Server())
    assert caught.value.detail == "video.loop: not supported with video.hdr"


def test_file_source_skips_the_length_check() -> None:
    # A file's length is the server's ingest business; a ready one passes here.
    validate(with_top(edit(), source={"file_id": READY_FILE}), Server())
