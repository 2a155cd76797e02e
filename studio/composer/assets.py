"""Uploaded inputs: checked by decoding, stored once per team by content hash.

The type comes from the content, never from the name or the browser's claim. A file
that fails a check raises ``UploadRejected`` with a sentence a person can act on and
leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np
from django.contrib.auth.models import User
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from studio.composer.messages import source_too_long
from studio.contract import rules
from studio.contract.models import (
    IMAGE_MAX_BYTES,
    IMAGE_MAX_SIDE,
    VIDEO_SOURCE_MAX_BYTES,
)
from studio.generations.models import Asset
from studio.media.probe import MediaError, probe_video
from studio.teams.models import Team

IMAGE_TYPES = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}
# PyAV's demuxer names for the containers the API takes as video sources.
VIDEO_TYPES = {
    "mov,mp4,m4a,3gp,3g2,mj2": ("video/mp4", "mp4"),
    "matroska,webm": ("video/webm", "webm"),
}
# What an uploaded video is for, as the request type whose source it will be.
SOURCE_TYPES = {"edit": "video_edit", "reframe": "video_reframe"}


class UploadRejected(Exception):
    """A file the studio will not keep; the message is meant for the person."""


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


def _spool(chunks: Iterable[bytes], limit: int, dest: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with dest.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise UploadRejected(f"The file is larger than {_mb(limit)}.")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise UploadRejected("The file is empty.")
    return digest.hexdigest(), size


def _image_facts(path: Path) -> tuple[str, str, int, int] | None:
    """(media type, extension, width, height) of a decodable image, None if not an image."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its pixel limit: treat that as a bomb too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                fmt = img.format or ""
                width, height = img.size
                if fmt not in IMAGE_TYPES:
                    raise UploadRejected(
                        f"{fmt or 'This'} images aren't accepted: use PNG, JPEG or WebP."
                    )
                if width > IMAGE_MAX_SIDE or height > IMAGE_MAX_SIDE:
                    raise UploadRejected(
                        f"The image is {width}×{height} px: at most {IMAGE_MAX_SIDE} px per side."
                    )
                img.load()  # decode every pixel: a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected("The image has too many pixels to be decoded safely.") from None
    except UploadRejected:
        raise
    except Image.UnidentifiedImageError:
        return None
    except (OSError, ValueError, SyntaxError) as exc:
        raise UploadRejected(f"The image could not be decoded ({exc}).") from None
    media_type, ext = IMAGE_TYPES[fmt]
    return media_type, ext, width, height


def _video_facts(path: Path) -> tuple[str, str, int, int, float]:
    try:
        facts = probe_video(path)
        with av.open(str(path)) as container:
            fmt = container.format.name
            # One decoded frame proves the stream is more than a header.
            next(container.decode(video=0))
    except (MediaError, av.FFmpegError, StopIteration, OSError) as exc:
        reason = str(exc) if isinstance(exc, MediaError) else "it holds no decodable frame"
        raise UploadRejected(
            f"The file is neither an image nor a usable video: {reason}."
        ) from None
    if fmt not in VIDEO_TYPES:
        raise UploadRejected("Videos must be MP4 or WebM files.")
    media_type, ext = VIDEO_TYPES[fmt]
    return media_type, ext, facts.width, facts.height, facts.duration_s


def store_upload(
    chunks: Iterable[bytes],
    *,
    team: Team,
    user: User | None,
    name: str = "",
    want: str = "image",
    purpose: str | None = None,
) -> Asset:
    """Check and keep an upload; ``want`` is "image" or "video".

    ``purpose`` ("edit" or "reframe") applies that source length limit to a video.
    The same bytes uploaded twice in a team give back the first Asset.
    """
    limit = VIDEO_SOURCE_MAX_BYTES if want == "video" else IMAGE_MAX_BYTES
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        tmp = Path(folder) / "upload"
        sha256, size = _spool(chunks, limit, tmp)
        existing = Asset.objects.filter(team=team, sha256=sha256).first()
        image = _image_facts(tmp)
        if image is not None:
            if want != "image":
                raise UploadRejected("That's an image: choose a video file here.")
            media_type, ext, width, height = image
            duration = None
        else:
            if want == "image":
                raise UploadRejected("That file isn't a PNG, JPEG or WebP image.")
            media_type, ext, width, height, duration = _video_facts(tmp)
        if duration is not None and purpose in SOURCE_TYPES:
            refusal = rules.source_too_long(SOURCE_TYPES[purpose], duration)
            if refusal is not None:
                raise UploadRejected(
                    source_too_long(refusal, duration, "The video") or refusal.detail
                )
        if existing is not None:
            return existing
        return _save(
            tmp, team, user, sha256, size, want, media_type, ext, width, height, duration, name
        )


def store_bytes(
    data: bytes,
    *,
    team: Team,
    user: User | None,
    name: str = "",
    want: str = "image",
    purpose: str | None = None,
) -> Asset:
    return store_upload([data], team=team, user=user, name=name, want=want, purpose=purpose)


def _save(
    tmp: Path,
    team: Team,
    user: User | None,
    sha256: str,
    size: int,
    kind: str,
    media_type: str,
    ext: str,
    width: int,
    height: int,
    duration: float | None,
    name: str,
) -> Asset:
    asset = Asset(
        team=team,
        sha256=sha256,
        kind=kind,
        media_type=media_type,
        size_bytes=size,
        width=width,
        height=height,
        duration_s=duration,
        original_name=(name or f"{sha256[:12]}.{ext}")[:255],
        created_by=user,
    )
    with tmp.open("rb") as handle:
        asset.file.save(f"{sha256[:16]}.{ext}", File(handle), save=False)
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        # Someone stored the same bytes a moment ago: keep theirs, drop our copy.
        asset.file.delete(save=False)
        return Asset.objects.get(team=team, sha256=sha256)
    except BaseException:
        asset.file.delete(save=False)
        raise
    return asset


def asset_json(asset: Asset) -> dict[str, object]:
    """What the composer's scripts need to place an asset."""
    url = reverse("generations:media", args=[asset.file.name])
    return {
        "id": asset.id,
        "kind": asset.kind,
        "name": asset.original_name,
        "url": url,
        "thumb_url": url if asset.kind == "image" else "",
        "width": asset.width,
        "height": asset.height,
        "duration_s": asset.duration_s,
        "media_type": asset.media_type,
    }


def png_bytes(rgb: np.ndarray) -> bytes:
    """An RGB array as PNG bytes (frames taken from clips become image assets)."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()
