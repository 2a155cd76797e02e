"""ImageRefs on the server side: the contract's resolver and staging of inline media.

A create request's ``data`` and ``url`` refs are decoded or fetched while the request
is answered (so the client gets §4's 413/422 strings), and their bytes are kept in the
engine's store under the generation's folder (``<id>/inputs/``, studio.engine.storage);
the request JSON keeps only the file's name. ``generation_id`` and
``file_id`` refs stay references and are looked up again when the job renders.
"""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone

from studio import mediastore
from studio.contract import GenerationRequest
from studio.contract.rules import check_refs
from studio.contract.structure import decode_data, iter_refs

from .fetch import fetch
from .models import ApiKey, EngineFile, EngineGeneration
from .storage import ENGINE

# Stands in for an inline source in a second pass of the contract's source checks.
_STAGED_SOURCE = "00000000-0000-4000-8000-5747a6ed0000"


class KeyResolver:
    """Answers the contract's ref lookups among one key's files and generations."""

    def __init__(self, key: ApiKey) -> None:
        self.key = key

    def file_ready(self, file_id: str) -> bool:
        return ready_file(self.key, file_id) is not None

    def completed_video(self, generation_id: str) -> float | None:
        found = completed_generation(self.key, generation_id)
        return found.seconds if found is not None else None


def ready_file(key: ApiKey, file_id: str) -> EngineFile | None:
    try:
        file = EngineFile.objects.get(id=file_id, key=key, state=EngineFile.State.READY)
    except (EngineFile.DoesNotExist, ValueError):
        return None
    if file.expires_at is not None and file.expires_at <= timezone.now():
        return None
    return file


def completed_generation(key: ApiKey, generation_id: str) -> EngineGeneration | None:
    try:
        found = EngineGeneration.objects.get(
            id=generation_id, key=key, state=EngineGeneration.State.COMPLETED
        )
    except (EngineGeneration.DoesNotExist, ValueError):
        return None
    return found if found.video_path and found.frames else None


class _FixedSource:
    """The second pass's resolver: every other ref already passed the first pass."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def file_ready(self, file_id: str) -> bool:
        return True

    def completed_video(self, generation_id: str) -> float | None:
        return self.seconds if generation_id == _STAGED_SOURCE else 1.0


def generation_folder(generation_id: uuid.UUID | str) -> str:
    """The generation's folder in the engine's store: its staged inputs and its outputs."""
    return str(generation_id)


def input_name(generation_id: uuid.UUID | str, file: str) -> str:
    """The stored name of a staged input (``file`` as recorded: ``inputs/00.bin``)."""
    return f"{generation_folder(generation_id)}/{file}"


def stage_inputs(
    body: dict[str, Any], request: GenerationRequest, key: ApiKey, generation_id: uuid.UUID
) -> tuple[dict[str, Any], dict[str, Any], float | None]:
    """Decode/fetch inline media and keep it in the generation's folder.

    Returns (inputs by field path, the body to store, the source's length in seconds
    when known). Raises ApiFailure/ContractError; the caller deletes the folder then.
    """
    with contextlib.ExitStack() as stack:
        work: list[Path] = []

        def staging() -> Path:
            # Made on the first inline ref only: most requests stage nothing.
            if not work:
                folder = input_name(generation_id, "inputs")
                work.append(stack.enter_context(mediastore.writing_folder(folder, ENGINE)))
            return work[0]

        inputs, stored, seconds = _stage(body, request, key, staging)
        for entry in inputs.values():
            if "file" in entry:
                local = work[0] / Path(entry["file"]).name
                mediastore.put(input_name(generation_id, entry["file"]), local, ENGINE)
    return inputs, stored, seconds


def _stage(
    body: dict[str, Any],
    request: GenerationRequest,
    key: ApiKey,
    staging: Callable[[], Path],
) -> tuple[dict[str, Any], dict[str, Any], float | None]:
    stored = copy.deepcopy(body)
    inputs: dict[str, Any] = {}
    source_seconds: float | None = None
    is_source_video = request.type in ("video_edit", "video_reframe")
    for n, (path, ref) in enumerate(iter_refs(body)):
        video = path == "source" and is_source_video
        name = f"{n:02d}.bin"
        if ref.get("data") is not None:
            (staging() / name).write_bytes(decode_data(ref["data"], path))
            inputs[path] = {"file": f"inputs/{name}", "media_type": ref.get("media_type")}
            _set_ref(stored, path, {"data": f"<staged {name}>", "media_type": ref["media_type"]})
        elif ref.get("url") is not None:
            kind = fetch(ref["url"], staging() / name, path=path, video=video)
            inputs[path] = {"file": f"inputs/{name}", "media_type": ref.get("media_type") or kind}
        elif ref.get("file_id") is not None:
            inputs[path] = {"file_id": ref["file_id"]}
            if video:
                file = ready_file(key, ref["file_id"])
                source_seconds = file.duration_s if file is not None else None
        else:
            inputs[path] = {"generation_id": ref["generation_id"]}
            if video:
                made = completed_generation(key, ref["generation_id"])
                source_seconds = made.seconds if made is not None else None
        if video and "file" in inputs[path]:
            source_seconds = _probe_seconds(staging() / name)
    source = body.get("source") or {}
    if is_source_video and source_seconds is not None and source.get("generation_id") is None:
        # Same length and grid checks as for a generation source, from the contract.
        again = copy.deepcopy(body)
        again["source"] = {"generation_id": _STAGED_SOURCE}
        check_refs(request, again, _FixedSource(source_seconds))
    return inputs, stored, source_seconds


def _probe_seconds(path: Path) -> float | None:
    """A source's length in seconds, or None when it does not decode (the render then
    fails it with corrupt_input)."""
    from studio.media.probe import MediaError, probe_video

    try:
        facts = probe_video(path)
    except MediaError:
        return None
    return facts.duration_s


def _set_ref(body: dict[str, Any], path: str, value: dict[str, Any]) -> None:
    """Replace the ref at a wire path (``video.keyframes[2]``) in ``body``."""
    holder: Any = body
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        holder = holder[int(part[1:-1])] if part.startswith("[") else holder[part]
    last = parts[-1]
    if last.startswith("["):
        holder[int(last[1:-1])] = value
    else:
        holder[last] = value
