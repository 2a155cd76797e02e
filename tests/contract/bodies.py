"""Request bodies and a small in-memory server for the contract tests."""

from __future__ import annotations

import base64
import copy
from typing import Any

from studio.contract import MODEL

PRIOR = "d290f1ee-6c54-4b01-90e6-d701748f0851"  # a completed 5 s video
LONG_PRIOR = "6f1c1a2e-0d4b-4f7e-9a53-2d7b8c9e0a11"  # a completed 20 s video
HALF_MINUTE = "0b8a6f7e-3c2d-4e1f-8a9b-7c6d5e4f3a21"  # a completed 31 s video
READY_FILE = "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4"
PENDING_FILE = "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4"
UNKNOWN = "00000000-0000-4000-8000-000000000000"

IMG: dict[str, str] = {"url": "https://example.com/frame.jpg"}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


class Server:
    """What a real server knows about the caller's files and generations."""

    def __init__(self) -> None:
        self.files = {READY_FILE: True, PENDING_FILE: False}
        self.videos = {PRIOR: 5.0, LONG_PRIOR: 20.0, HALF_MINUTE: 31.0}
        self.asked: list[str] = []

    def file_ready(self, file_id: str) -> bool:
        self.asked.append(file_id)
        return self.files.get(file_id, False)

    def completed_video(self, generation_id: str) -> float | None:
        self.asked.append(generation_id)
        return self.videos.get(generation_id)


def video(**options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": MODEL, "type": "video", "prompt": "a misty greenhouse"}
    body["video"] = {"resolution": "720p", "duration": "5s", **options}
    return body


def edit(**options: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "type": "video_edit",
        "prompt": "make it winter",
        "source": {"generation_id": PRIOR},
        "video": {"resolution": "720p", **options},
    }


def reframe(aspect_ratio: str | None = "9:16", **options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": MODEL,
        "type": "video_reframe",
        "prompt": "keep the subject centred",
        "source": {"generation_id": PRIOR},
        "video": {"resolution": "720p", **options},
    }
    if aspect_ratio is not None:
        body["aspect_ratio"] = aspect_ratio
    return body


def keyframes(indexes: list[int]) -> dict[str, Any]:
    return {"keyframes": [dict(IMG) for _ in indexes], "keyframe_indexes": indexes}


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    holder = body
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return body


def with_top(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**copy.deepcopy(body), **fields}
