"""The Files API's storage and ingest (contract §7).

Bytes live under ENGINE_MEDIA_ROOT/files/<id>, written under a temporary name and
renamed, so a failed or interrupted upload never leaves a half file that looks whole.
Ingest runs as soon as the bytes are complete: it decodes the file as an image or
probes it as a video, applies §2's limits and settles the state on ready or failed.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from studio.contract import FAILURE_REASONS
from studio.contract.models import IMAGE_MAX_BYTES, IMAGE_MAX_SIDE, VIDEO_SOURCE_MAX_BYTES
from studio.engine.models import EngineFile
from studio.media import MediaError, probe_video

State = EngineFile.State
# Larger files go through the presigned flow; the cap keeps multipart bodies sane.
INLINE_MAX_BYTES = 100 * 1024 * 1024


def relative_path(file: EngineFile) -> str:
    return f"files/{file.id}"


def absolute_path(relative: str) -> Path:
    return Path(settings.ENGINE_MEDIA_ROOT) / relative


def store(file: EngineFile, chunks: Iterable[bytes]) -> int:
    """Write the bytes atomically; how many were written."""
    dest = absolute_path(relative_path(file))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    size = 0
    try:
        with open(tmp, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                handle.write(chunk)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return size


def _moderated(name: str | None) -> bool:
    words = set(re.findall(r"[\w']+", (name or "").lower()))
    return any(word.lower() in words for word in settings.ENGINE_MODERATION_WORDS)


class _Refused(Exception):
    """Ingest refuses the file; the message is its failure code."""


def _check(path: Path) -> tuple[str, float | None]:
    """("image" | "video", seconds), or _Refused(failure code)."""
    size = path.stat().st_size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if size > IMAGE_MAX_BYTES or max(image.size) > IMAGE_MAX_SIDE:
                    raise _Refused("image_too_large")
                image.load()
                return "image", None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refused("image_too_large") from None
    except UnidentifiedImageError:
        pass  # not an image; maybe a video
    except _Refused:
        raise
    except Exception:
        # Whatever a decoder raises on hostile bytes says the same: they do not decode.
        raise _Refused("corrupt_input") from None
    try:
        facts = probe_video(path)
    except MediaError:
        raise _Refused("unsupported_format") from None
    if size > VIDEO_SOURCE_MAX_BYTES:
        raise _Refused("image_too_large")
    if facts.frames < 1:
        raise _Refused("corrupt_input")
    return "video", facts.duration_s


def ingest(file: EngineFile) -> EngineFile:
    """Check the stored bytes and settle the file on ready or failed.

    A failed file can never be referenced again, so its bytes go at once: nothing is
    left pending, and nothing unusable stays on disk.
    """
    try:
        if _moderated(file.filename):
            raise _Refused("content_moderated")
        kind, seconds = _check(absolute_path(file.path))
    except _Refused as problem:
        absolute_path(file.path).unlink(missing_ok=True)
        file.path = ""
        file.state = State.FAILED
        file.failure_reason = FAILURE_REASONS[str(problem)]
    else:
        file.state = State.READY
        file.media_kind = kind
        file.duration_s = seconds
    file.save(update_fields=["state", "failure_reason", "media_kind", "duration_s", "path"])
    return file
