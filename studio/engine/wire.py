"""Engine records as the contract's response bodies (§3, §7)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from studio.contract import File, Generation, Output

from . import signing
from .models import EngineFile, EngineGeneration

VIDEO_NAME = "video.mp4"
EXR_NAME = "frames.zip"


def output_path(generation: EngineGeneration, name: str) -> str:
    return reverse("engine:output", args=[generation.id, name])


def generation_body(generation: EngineGeneration, request: HttpRequest) -> dict[str, object]:
    """All eight keys; fresh presigned links for a completed generation."""
    outputs: list[Output] = []
    if generation.state == EngineGeneration.State.COMPLETED:
        link = signing.absolute(request, output_path(generation, VIDEO_NAME))
        outputs.append(Output(type="video", url=link))
        if generation.exr_path:
            link = signing.absolute(request, output_path(generation, EXR_NAME))
            outputs.append(Output(type="exr", url=link))
    failed = generation.state == EngineGeneration.State.FAILED
    # Validated from the row's values: the columns hold the contract's words as plain text.
    return Generation.model_validate(
        {
            "id": str(generation.id),
            "type": generation.type,
            "state": generation.state,
            "created_at": generation.created_at,
            "output": outputs,
            "failure_reason": generation.failure_reason if failed else None,
            "failure_code": generation.failure_code if failed else None,
        }
    ).to_wire()


def file_body(file: EngineFile) -> dict[str, object]:
    return File.model_validate(
        {
            "id": str(file.id),
            "created_at": file.created_at,
            "mime_type": file.mime_type,
            "purpose": file.purpose,
            "size_bytes": file.size_bytes,
            "state": file.state,
            "deleted_at": file.deleted_at,
            "expires_at": file.expires_at,
            "failure_reason": file.failure_reason,
            "filename": file.filename,
            "user_id": file.user_id,
        }
    ).to_wire()
