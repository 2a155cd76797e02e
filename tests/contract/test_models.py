"""Response and Files shapes: every key present, times in the wire format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from studio.contract import (
    API_VERSION,
    FAILURE_CODES,
    FAILURE_REASONS,
    MODEL,
    RETRYABLE_FAILURE_CODES,
    STATES,
    TERMINAL_STATES,
    File,
    FileCreateResponse,
    FileList,
    Generation,
    ImageRef,
    Output,
    PresignedUpload,
    errors,
)

WHEN = datetime(2026, 5, 26, 12, 0, 0, 123456, tzinfo=UTC)
GEN_ID = "d290f1ee-6c54-4b01-90e6-d701748f0851"


def test_queued_generation_has_all_eight_keys() -> None:
    wire = Generation(id=GEN_ID, type="video", state="queued", created_at=WHEN).to_wire()
    assert wire == {
        "id": GEN_ID,
        "type": "video",
        "state": "queued",
        "model": "ray-3.2",
        "created_at": "2026-05-26T12:00:00Z",
        "output": [],
        "failure_reason": None,
        "failure_code": None,
    }
    assert json.loads(json.dumps(wire)) == wire


def test_completed_generation_lists_outputs() -> None:
    generation = Generation(
        id=GEN_ID,
        type="video_edit",
        state="completed",
        created_at=WHEN.astimezone(timezone(timedelta(hours=2))),
        output=[
            Output(type="video", url="https://x/v.mp4"),
            Output(type="exr", url="https://x/e.zip"),
        ],
    )
    wire = generation.to_wire()
    assert wire["created_at"] == "2026-05-26T12:00:00Z"
    assert wire["output"] == [
        {"type": "video", "url": "https://x/v.mp4"},
        {"type": "exr", "url": "https://x/e.zip"},
    ]
    assert generation.terminal


def test_failed_generation_round_trips() -> None:
    wire = Generation(
        id=GEN_ID,
        type="video",
        state="failed",
        created_at=WHEN,
        failure_code="generation_failed",
        failure_reason=FAILURE_REASONS["generation_failed"],
    ).to_wire()
    again = Generation.model_validate(wire)
    assert again.to_wire() == wire
    assert again.retryable


def test_naive_time_is_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    wire = Generation(id=GEN_ID, type="video", state="processing", created_at=naive).to_wire()
    assert wire["created_at"] == "2026-01-02T03:04:05Z"


def test_unknown_state_is_refused() -> None:
    with pytest.raises(ValidationError):
        Generation(id=GEN_ID, type="video", state="cancelled", created_at=WHEN)


def test_constants() -> None:
    assert MODEL == "ray-3.2"
    assert API_VERSION == "2026-04-01"
    assert STATES == ("queued", "processing", "completed", "failed")
    assert {"completed", "failed"} == TERMINAL_STATES
    assert {"generation_failed", "output_not_found", "rate_limited"} == RETRYABLE_FAILURE_CODES
    assert set(FAILURE_REASONS) == set(FAILURE_CODES)
    assert FAILURE_REASONS["content_moderated"] == (
        "Generation output was flagged by our content moderation system."
    )
    assert (
        FAILURE_REASONS["budget_exhausted"] == "Insufficient credits to complete this generation."
    )
    assert FAILURE_REASONS["output_not_found"] == "Output artifacts not found"


def test_published_error_strings() -> None:
    assert errors.unknown_model("ray-2") == "Unknown model: ray-2"
    assert errors.RATE_LIMITED == "Rate limit exceeded"
    assert errors.TOO_MANY_JOBS == "Too many concurrent jobs"
    assert errors.MISSING_KEY == "Missing or invalid API key"
    assert errors.INSUFFICIENT_BALANCE == "Insufficient balance. Please add funds to continue."
    assert errors.GENERATION_NOT_FOUND == "Generation not found"
    assert errors.image_too_large("video.keyframes[2]") == (
        "video.keyframes[2]: image exceeds 50 MB limit"
    )
    assert errors.fetch_failed("source", 404) == "source: failed to fetch URL (HTTP 404)"
    assert errors.not_an_image("video.end_frame") == "video.end_frame: content-type is not an image"
    assert errors.UPSTREAM_UNAVAILABLE == "Upstream service unavailable"
    assert errors.INGESTION_UNAVAILABLE == "Media URL ingestion is unavailable"


def test_ours_table_formats() -> None:
    # Every "(ours)" entry formats with the names the module passes it.
    for key, text in errors.OURS.items():
        assert text, key
    assert errors.not_for_type("video.loop", "video_edit") == (
        "video.loop: not supported for type 'video_edit'"
    )


def test_image_ref_helpers() -> None:
    ref = ImageRef(url="https://example.com/in.mp4", media_type="video/mp4")
    assert (ref.kind, ref.is_video) == ("url", True)
    assert ImageRef(file_id=GEN_ID).to_wire() == {"file_id": GEN_ID}
    with pytest.raises(ValueError):
        _ = ImageRef().kind


def test_files_shapes() -> None:
    file = File(
        id="f1",
        created_at=WHEN,
        mime_type="video/mp4",
        size_bytes=1234,
        state="pending",
        expires_at=WHEN + timedelta(days=1),
    )
    upload = PresignedUpload(url="https://s/put", headers={"x": "y"}, expires_at=WHEN)
    created = FileCreateResponse(id="f1", state="pending", file=file, upload=upload).to_wire()
    assert created["id"] == created["file"]["id"] == "f1"
    assert created["file"]["created_at"] == "2026-05-26T12:00:00Z"
    assert created["file"]["expires_at"] == "2026-05-27T12:00:00Z"
    assert created["file"]["deleted_at"] is None
    assert created["upload"] == {
        "url": "https://s/put",
        "method": "PUT",
        "headers": {"x": "y"},
        "expires_at": "2026-05-26T12:00:00Z",
    }
    page = FileList(data=[file], has_more=False).to_wire()
    assert page["next_cursor"] is None and page["data"][0]["purpose"] == "input"
    assert FileList.model_validate(json.loads(json.dumps(page))).to_wire() == page
