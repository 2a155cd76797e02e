"""The Files API's storage and ingest (contract §7).

Bytes are kept in the engine's store as ``files/<id>`` (studio.engine.storage): on disk
written under a temporary name beside it and renamed, in a bucket written to a scratch
file and uploaded whole, so a failed or interrupted upload never leaves a half file that
looks whole. Ingest runs as soon as the bytes are complete: it decodes the file as an image or
probes it as a video, applies §2's limits and settles the state on ready or failed.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from studio import mediastore
from studio.contract import FAILURE_REASONS
from studio.contract.models import IMAGE_MAX_BYTES, IMAGE_MAX_SIDE, VIDEO_SOURCE_MAX_BYTES
from studio.engine.models import EngineFile
from studio.engine.storage import ENGINE
from studio.media import MediaError, probe_video

State = EngineFile.State
# Larger files go through the presigned flow; the cap keeps multipart bodies sane.
INLINE_MAX_BYTES = 100 * 1024 * 1024


FOLDER = "files"


def relative_path(file: EngineFile) -> str:
    """The file's name in the engine's store."""
    return f"{FOLDER}/{file.id}"


def store(file: EngineFile, chunks: Iterable[bytes], *, expected: int | None = None) -> int:
    """Keep the bytes whole under the file's name; how many were received.

    With ``expected``, bytes of another length are not kept at all.
    """
    size = 0
    with mediastore.writing_folder(FOLDER, ENGINE) as folder:
        descriptor, raw = tempfile.mkstemp(dir=folder, prefix=f".{file.id}.", suffix=".part")
        tmp = Path(raw)
        try:
            with open(descriptor, "wb") as handle:
                for chunk in chunks:
                    size += len(chunk)
                    handle.write(chunk)
            if expected is None or size == expected:
                mediastore.put(relative_path(file), tmp, ENGINE)
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
        with mediastore.readable(file.path, ENGINE) as local:
            kind, seconds = _check(local)
    except _Refused as problem:
        mediastore.delete(file.path, ENGINE)
        file.path = ""
        file.state = State.FAILED
        file.failure_reason = FAILURE_REASONS[str(problem)]
    else:
        file.state = State.READY
        file.media_kind = kind
        file.duration_s = seconds
    file.save(update_fields=["state", "failure_reason", "media_kind", "duration_s", "path"])
    return file
