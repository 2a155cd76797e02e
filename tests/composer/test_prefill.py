"""Prefilled compositions: what a promote asks for is decided by the contract's rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from studio.composer.prefill import defaults, from_source, hdr_allowed, promoted_resolution
from studio.contract.models import DEFAULT_DURATION, DEFAULT_RESOLUTION
from studio.generations.models import Generation
from tests.conftest import Personas


def test_defaults_are_the_contracts() -> None:
    assert defaults()["resolution"] == DEFAULT_RESOLUTION
    assert defaults()["duration"] == DEFAULT_DURATION


@pytest.mark.parametrize(
    ("before", "after"),
    [("360p", "720p"), ("540p", "720p"), ("720p", "1080p"), ("1080p", "1080p"), (None, "1080p")],
)
def test_a_promote_steps_up_to_at_least_the_default(before: str | None, after: str) -> None:
    assert promoted_resolution(before) == after


def _video(**fields: Any) -> dict[str, Any]:
    return {**defaults(), "prompt": "a kite over dunes", "resolution": "1080p", **fields}


@pytest.mark.parametrize(
    ("composition", "allowed"),
    [
        (_video(), True),
        (_video(keyframes=[{"asset": 1, "frame": 0}, {"asset": 2, "frame": 60}]), True),
        (_video(duration="10s"), False),  # HDR videos are 5 s long
        (_video(loop=True), False),
        (_video(start_frame=1), False),  # image anchors: keyframes for HDR
        (_video(end_frame=2), False),
        (_video(mode="extend", source="g:x"), False),  # extending is SDR only
        (_video(mode="reframe", source="g:x", aspect_ratio="1:1"), False),
        (_video(mode="edit", source="g:x"), True),
        (_video(resolution="540p"), False),  # HDR needs 720p or 1080p
    ],
)
def test_hdr_where_the_rule_table_allows_it(composition: dict[str, Any], allowed: bool) -> None:
    assert hdr_allowed(composition) is allowed


def test_a_promote_turns_hdr_on_where_it_can(personas: Personas) -> None:
    def clip(**composition: Any) -> Generation:
        return Generation.objects.create(
            team=personas.team,
            author=personas.editor,
            prompt="a lighthouse at dusk",
            state=Generation.State.COMPLETED,
            remote_id=uuid.uuid4(),
            composition={**defaults(), "prompt": "a lighthouse at dusk", **composition},
        )

    initial, action = from_source("promote", clip(resolution="360p"))
    assert action == "promote"
    assert (initial["resolution"], initial["hdr"]) == ("720p", True)
    initial, _ = from_source("promote", clip(resolution="540p", duration="10s"))
    assert (initial["resolution"], initial["hdr"]) == ("720p", False)
