"""Turning a stored request (a generation's, or a studio preview's) into a RenderJob.

Images are decoded here, in the worker, with Pillow's decompression-bomb guard and the
contract's limits; a bad input fails the generation with the matching failure_code
(image_too_large, unsupported_format, corrupt_input) instead of crashing the worker.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from studio import mediastore
from studio.contract import GenerationRequest, ImageRef, frame_count, output_size
from studio.contract.grid import SHORT_SIDES, duration_seconds
from studio.contract.models import DURATIONS, IMAGE_MAX_BYTES, IMAGE_MAX_SIDE, RESOLUTIONS
from studio.engine.models import EngineFile, EngineGeneration
from studio.engine.refs import input_name
from studio.engine.storage import ENGINE
from studio.media import MediaError, probe_video
from studio.media.decode import iter_rgb
from studio.render import Anchor, RenderJob

# An extend renders one block of the contract's shortest duration.
EXTEND_BLOCK = min(DURATIONS, key=duration_seconds)
# Drafts (the studio's previews) render at the contract's smallest size.
DRAFT_RESOLUTION = RESOLUTIONS[0]

# Where the input at a field path (``video.keyframes[2]``) lies on disk.
Locate = Callable[[str], Path]


class InputProblem(Exception):
    """An input the render cannot use; ``code`` is the generation's failure_code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def seed_of(request: dict[str, Any]) -> int:
    """Same request, same video: the seed is a digest of what shapes the output."""
    shaping = {k: v for k, v in request.items() if k != "user_id"}
    digest = hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def size_like(resolution: str, width: int, height: int) -> tuple[int, int]:
    """The resolution's short side with another video's aspect, both sides even."""
    short = SHORT_SIDES[resolution]
    if width >= height:
        return 2 * round(short * width / height / 2), short
    return short, 2 * round(short * height / width / 2)


def _stored_input(generation: EngineGeneration, path: str) -> tuple[str, str]:
    """(the input's name in the engine's store, the failure code should it be gone)."""
    entry = generation.inputs.get(path) or {}
    if "file" in entry:
        return input_name(generation.id, entry["file"]), "invalid_request"
    if "file_id" in entry:
        found = EngineFile.objects.filter(id=entry["file_id"], key_id=generation.key_id).first()
        if found is None or not found.path:
            raise InputProblem("invalid_request", f"{path}: the file is gone")
        return found.path, "invalid_request"
    if "generation_id" in entry:
        prior = EngineGeneration.objects.filter(
            id=entry["generation_id"], key_id=generation.key_id
        ).first()
        if prior is None or not prior.video_path:
            raise InputProblem("output_not_found", f"{path}: the prior video is gone")
        return prior.video_path, "output_not_found"
    raise InputProblem("invalid_request", f"{path}: no input recorded")


def load_image(file: Path) -> np.ndarray:
    """An RGB array from image bytes, within the contract's limits."""
    try:
        if file.stat().st_size > IMAGE_MAX_BYTES:
            raise InputProblem("image_too_large", "image exceeds 50 MB")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                if max(image.size) > IMAGE_MAX_SIDE:
                    raise InputProblem("image_too_large", "image exceeds 8000 px per side")
                image.load()
                return np.asarray(image.convert("RGB"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputProblem("image_too_large", "image has too many pixels") from None
    except UnidentifiedImageError:
        raise InputProblem("unsupported_format", "not a supported image format") from None
    except (OSError, ValueError, SyntaxError):
        raise InputProblem("corrupt_input", "the image could not be decoded") from None


def _last_frame(video: Path) -> np.ndarray:
    last = None
    try:
        for rgb in iter_rgb(video):
            last = rgb
    except MediaError:
        last = None
    if last is None:
        raise InputProblem("corrupt_input", "the video could not be decoded")
    return last


def image_at(file: Path, ref: ImageRef) -> np.ndarray:
    if ref.generation_id is not None:
        # A prior video used as a picture: its last frame, where it left off.
        return _last_frame(file)
    return load_image(file)


def _probe(file: Path) -> tuple[int, int, int]:
    try:
        facts = probe_video(file)
    except MediaError:
        raise InputProblem("corrupt_input", "the source video could not be decoded") from None
    if facts.frames < 1:
        raise InputProblem("corrupt_input", "the source video holds no frames")
    return facts.width, facts.height, facts.frames


def build_job(generation: EngineGeneration, copies: Path | None = None) -> RenderJob:
    """The generation's RenderJob, its inputs read where the engine's store keeps them.

    On disk the stored files themselves; with a bucket, copies downloaded into ``copies``
    (a folder of the attempt's scratch, removed with it).
    """
    numbers = itertools.count()

    def locate(path: str) -> Path:
        name, gone = _stored_input(generation, path)
        if mediastore.is_local(ENGINE):
            return mediastore.disk_path(name, ENGINE)
        if copies is None:
            raise ValueError("a bucket's inputs need a folder for their copies")
        # One folder per input: two priors are both called video.mp4.
        folder = copies / str(next(numbers))
        folder.mkdir(parents=True)
        try:
            return mediastore.copy_into(name, folder, ENGINE)
        except FileNotFoundError:
            raise InputProblem(gone, f"{path}: the input is gone") from None

    return job_for(generation.request, locate)


def job_for(body: dict[str, Any], locate: Locate, *, draft: bool = False) -> RenderJob:
    """The RenderJob of a stored request body; ``locate`` finds the input at a field path.

    ``draft`` renders at DRAFT_RESOLUTION in SDR without an EXR export, whatever the
    request asks: the engine's own quick look at a composition, not a contract option.
    """
    request = GenerationRequest.model_validate(body)
    video = request.options
    resolution = DRAFT_RESOLUTION if draft else video.effective_resolution
    job = RenderJob(
        kind=request.type,
        prompt=request.prompt,
        width=0,
        height=0,
        frames=0,
        seed=seed_of(body),
        loop=bool(video.loop),
        hdr=bool(video.hdr) and not draft,
        exr_export=bool(video.exr_export) and not draft,
    )
    if request.type == "video":
        _video_job(locate, request, job, resolution)
    else:
        source = locate("source")
        width, height, frames = _probe(source)
        job.source, job.frames = source, frames
        if request.type == "video_edit":
            job.width, job.height = size_like(resolution, width, height)
            _edit_job(locate, request, job)
        else:
            job.width, job.height = output_size(resolution, request.aspect_ratio)
            position = video.source_position
            if position is not None:
                job.source_position = (
                    position.x_norm,
                    position.y_norm,
                    position.w_norm,
                    position.h_norm,
                )
    return job


def _video_job(locate: Locate, request: GenerationRequest, job: RenderJob, resolution: str) -> None:
    video = request.options
    start, end = video.start_frame, video.end_frame
    prior_path = None
    if start is not None and start.generation_id is not None:
        prior_path, job.extend_direction = "video.start_frame", "forward"
    elif end is not None and end.generation_id is not None:
        prior_path, job.extend_direction = "video.end_frame", "backward"
    if prior_path is not None:
        job.extend_source = locate(prior_path)
        width, height, _ = _probe(job.extend_source)
        job.width, job.height = size_like(resolution, width, height)
        job.frames = frame_count(EXTEND_BLOCK)
        return
    job.width, job.height = output_size(resolution, request.aspect_ratio)
    job.frames = frame_count(video.effective_duration)
    if start is not None:
        job.anchors.append(Anchor(0, image_at(locate("video.start_frame"), start)))
    if end is not None:
        job.anchors.append(Anchor(job.frames - 1, image_at(locate("video.end_frame"), end)))
    for i, (ref, index) in enumerate(
        zip(video.keyframes or [], video.keyframe_indexes or [], strict=False)
    ):
        job.anchors.append(Anchor(index, image_at(locate(f"video.keyframes[{i}]"), ref)))


def _edit_job(locate: Locate, request: GenerationRequest, job: RenderJob) -> None:
    video = request.options
    edit = video.edit
    if video.start_frame is not None:
        job.edit_anchors.append(Anchor(0, image_at(locate("video.start_frame"), video.start_frame)))
    if edit is None:
        return
    job.edit_strength = edit.strength
    job.edit_auto = bool(edit.auto_controls)
    if edit.controls is not None:
        job.edit_controls = edit.controls.model_dump(exclude_none=True)
    for i, (ref, index) in enumerate(
        zip(edit.keyframes or [], edit.keyframe_indexes or [], strict=False)
    ):
        path = f"video.edit.keyframes[{i}]"
        job.edit_anchors.append(Anchor(min(index, job.frames - 1), image_at(locate(path), ref)))
