"""Keeping outputs: where downloads land, their Output rows, and the derived media.

An Output row is written only once its file is complete in the store (downloads and
derived files are written to a temporary name and renamed, or uploaded whole to a
bucket), so a poller killed half-way leaves nothing that counts as done; the next pass
removes the leftovers and carries on. With a bucket, downloads and derivations work in
scratch folders of the system's temporary directory (studio.mediastore).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from studio import mediastore
from studio.client import Download
from studio.generations.models import Generation, Output
from studio.media import poster_frame, probe_video, sdr_preview, strip_layout, thumbnail_strip

STRIP_TILES = 10
STRIP_HEIGHT = 90
POSTER_MAX_WIDTH = 1280
DERIVED_FILES = {
    Output.Kind.POSTER: "poster.jpg",
    Output.Kind.THUMBS: "thumbs.jpg",
    Output.Kind.PREVIEW: "preview.mp4",
}


def folder_name(generation: Generation) -> str:
    """The generation's folder under MEDIA_ROOT (relative, as stored in Output.file)."""
    return f"outputs/{generation.id.hex}"


def folder_of(generation: Generation) -> Path:
    return Path(settings.MEDIA_ROOT) / folder_name(generation)


def download_folder(generation: Generation) -> Path:
    """Where a pass downloads a generation's outputs: beside their final place on disk, or
    a scratch folder (see release_download_folder) when they go to a bucket."""
    if mediastore.is_local():
        return folder_of(generation)
    return Path(tempfile.mkdtemp(prefix=mediastore.SCRATCH_PREFIX))


def release_download_folder(folder: Path) -> None:
    """Remove a scratch download folder (what was kept went to the bucket already)."""
    if not mediastore.is_local():
        shutil.rmtree(folder, ignore_errors=True)


def sweep_leftovers(generation: Generation) -> int:
    """Delete temporary files a killed poller left behind (only call while holding the lease).

    Every temporary name starts with a dot; kept files never do. Downloads and derived
    media write nowhere but this folder, so nothing else is left to sweep. A pass sweeps
    before it downloads or derives, so whoever takes up a killed poller's row (within
    one lease) removes what that poller left.
    """
    if not mediastore.is_local():
        return 0  # scratch folders are removed by the pass that made them
    folder = folder_of(generation)
    removed = 0
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith(".") and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
    return removed


def kept_kinds(generation: Generation) -> set[str]:
    """Output kinds whose row exists and whose file is still stored complete."""
    kinds = set()
    for kind, name, size in generation.outputs.values_list("kind", "file", "size_bytes"):
        if mediastore.exists_with_size(name, size):
            kinds.add(kind)
    return kinds


def stored_name(generation: Generation, path: Path) -> str:
    return f"{folder_name(generation)}/{Path(path).name}"


def keep_download(generation: Generation, kind: str, download: Download) -> Output:
    """Store a completed download and record it (its SHA-256 was taken while streaming)."""
    name = mediastore.put(stored_name(generation, download.path), download.path)
    output, _ = Output.objects.update_or_create(
        generation=generation,
        kind=kind,
        defaults={
            "file": name,
            "size_bytes": download.size,
            "sha256": download.sha256,
        },
    )
    return output


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def keep_file(generation: Generation, kind: str, path: Path, **fields: object) -> Output:
    path = Path(path)
    size, sha256 = path.stat().st_size, sha256_of(path)
    name = mediastore.put(stored_name(generation, path), path)
    output, _ = Output.objects.update_or_create(
        generation=generation,
        kind=kind,
        defaults={
            "file": name,
            "size_bytes": size,
            "sha256": sha256,
            **fields,
        },
    )
    return output


def _direct[T](work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return work(*args, **kwargs)


def derive(generation: Generation, *, run: Callable[..., Any] = _direct) -> None:
    """Facts, poster, thumbnail strip and (for HDR) an SDR preview of the kept video.

    Idempotent: kinds already kept are skipped, so a pass that was interrupted resumes.
    Raises MediaError (or OSError) for a video that cannot be read. The media work (no
    database) goes through ``run(work, *args)``: the poller's heartbeat runs it on a
    helper thread and renews its lease meanwhile.
    """
    video = Output.objects.get(generation=generation, kind=Output.Kind.VIDEO)
    with contextlib.ExitStack() as scratch:
        source = scratch.enter_context(mediastore.readable(mediastore.name_of(video.file)))
        if mediastore.is_local():
            folder = folder_of(generation)
        else:
            folder = scratch.enter_context(mediastore.scratch_dir())
        _derive(generation, video, source, folder, run)


def _derive(
    generation: Generation,
    video: Output,
    source: Path,
    folder: Path,
    run: Callable[..., Any],
) -> None:
    facts = run(probe_video, source)
    Output.objects.filter(id=video.id).update(
        width=facts.width,
        height=facts.height,
        fps=facts.fps,
        frames=facts.frames,
        codec=facts.codec,
        hdr=facts.hdr,
        meta={**video.meta, "pix_fmt": facts.pix_fmt, "duration_s": facts.duration_s},
    )
    Generation.objects.filter(id=generation.id).update(duration_s=facts.duration_s)
    generation.duration_s = facts.duration_s

    have = kept_kinds(generation)
    if Output.Kind.POSTER not in have:
        dest = run(
            poster_frame,
            source,
            folder / DERIVED_FILES[Output.Kind.POSTER],
            max_width=POSTER_MAX_WIDTH,
        )
        poster_w = min(facts.width, POSTER_MAX_WIDTH)
        keep_file(
            generation,
            Output.Kind.POSTER,
            dest,
            width=poster_w,
            height=max(1, round(facts.height * poster_w / facts.width)),
        )
    if Output.Kind.THUMBS not in have:
        layout = strip_layout(
            facts.width, facts.height, count=STRIP_TILES, tile_height=STRIP_HEIGHT
        )
        dest = run(
            thumbnail_strip,
            source,
            folder / DERIVED_FILES[Output.Kind.THUMBS],
            count=STRIP_TILES,
            height=STRIP_HEIGHT,
        )
        keep_file(
            generation,
            Output.Kind.THUMBS,
            dest,
            width=layout.width,
            height=layout.tile_height,
            frames=facts.frames,
            meta={
                "count": layout.count,
                "tile_width": layout.tile_width,
                "tile_height": layout.tile_height,
            },
        )
    if facts.hdr and Output.Kind.PREVIEW not in have:
        dest = run(sdr_preview, source, folder / DERIVED_FILES[Output.Kind.PREVIEW])
        preview = run(probe_video, dest)
        keep_file(
            generation,
            Output.Kind.PREVIEW,
            dest,
            width=preview.width,
            height=preview.height,
            fps=preview.fps,
            frames=preview.frames,
            codec=preview.codec,
            hdr=preview.hdr,
        )
