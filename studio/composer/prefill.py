"""Filling the composer in from a gallery clip: remix, promote, extend, edit, reframe,
or one frame of a clip placed as a start, end or keyframe."""

from __future__ import annotations

from typing import Any

from studio import mediastore
from studio.composer.assets import UploadRejected, png_bytes, store_bytes
from studio.contract import FPS, max_index
from studio.generations.models import Asset, Generation, Output
from studio.media.decode import iter_frames
from studio.media.probe import MediaError
from studio.teams.models import Membership

PREFILL_ACTIONS = ("extend_forward", "extend_backward", "edit", "reframe", "remix", "promote")
PROMOTE_RESOLUTION = {"360p": "720p", "540p": "720p", "720p": "1080p", "1080p": "1080p"}


class PrefillError(Exception):
    """A prefill link that cannot be followed; the message is for the person."""


def _defaults() -> dict[str, Any]:
    return {"mode": "video", "resolution": "720p", "duration": "5s", "direction": "forward"}


def composition_of(generation: Generation) -> dict[str, Any]:
    stored = {k: v for k, v in (generation.composition or {}).items() if not k.startswith("_")}
    return {**_defaults(), **stored} if stored else {**_defaults(), "prompt": generation.prompt}


def from_source(action: str, source: Generation) -> tuple[dict[str, Any], str]:
    """(initial values, action to record) for a prefill link about ``source``."""
    if action in ("remix", "promote"):
        initial = composition_of(source)
        if action == "promote":
            initial["resolution"] = PROMOTE_RESOLUTION.get(initial.get("resolution") or "720p")
            if initial.get("mode") == "video" and not initial.get("loop"):
                # A promote is the final: HDR where the rest of the composition allows it.
                anchors = initial.get("start_frame") or initial.get("end_frame")
                initial["hdr"] = not anchors and initial.get("duration") != "10s"
        return initial, action
    if source.state != Generation.State.COMPLETED:
        raise PrefillError("Only a completed clip can be extended, edited or reframed.")
    key = f"g:{source.id}"
    if action.startswith("extend_"):
        direction = action.removeprefix("extend_")
        initial = {**_defaults(), "mode": "extend", "source": key, "direction": direction}
        initial["prompt"] = source.prompt
        initial["resolution"] = source.resolution
        return initial, action
    initial = {**_defaults(), "mode": action, "source": key, "prompt": source.prompt}
    if action == "reframe":
        initial["aspect_ratio"] = "9:16" if source.aspect_ratio in ("", "16:9", "21:9") else "16:9"
    return initial, action


def _video_name(generation: Generation) -> str:
    outputs = {o.kind: o for o in generation.outputs.all()}
    # An HDR original decodes tone-mapped either way; the SDR preview is cheaper to read.
    chosen = outputs.get(Output.Kind.PREVIEW) if generation.hdr else None
    chosen = chosen or outputs.get(Output.Kind.VIDEO)
    if chosen is None or not chosen.file:
        raise PrefillError("That clip's video has not been downloaded yet.")
    return chosen.file.name


def frame_asset(generation: Generation, frame: int, membership: Membership) -> Asset:
    """Frame ``frame`` of a completed clip as an image asset of the team."""
    if generation.state != Generation.State.COMPLETED:
        raise PrefillError("Frames can only be taken from completed clips.")
    if frame < 0:
        raise PrefillError("Frame numbers start at 0.")
    try:
        # A bucket's video is read from a scratch copy; on disk, in place.
        with mediastore.readable(_video_name(generation)) as path:
            for _t, rgb in iter_frames(path, start_s=frame / FPS):
                data = png_bytes(rgb)
                break
            else:
                raise PrefillError(f"The clip has no frame {frame}.")
    except (MediaError, OSError) as exc:
        raise PrefillError(f"The clip could not be read: {exc}") from None
    try:
        return store_bytes(
            data,
            team=membership.team,
            user=membership.user,
            name=f"frame-{frame}-of-{str(generation.id)[:8]}.png",
            want="image",
        )
    except UploadRejected as exc:
        raise PrefillError(str(exc)) from None


def place_frame(initial: dict[str, Any], asset: Asset, where: str, frame: int) -> dict[str, Any]:
    """Put an extracted frame in the composition as start, end or a keyframe."""
    if where == "keyframe":
        keyframes = list(initial.get("keyframes") or [])
        taken = {k["frame"] for k in keyframes}
        position = min(frame, max_index("5s"))
        while position in taken:
            position = (position + 1) % (max_index("5s") + 1)
        keyframes.append({"asset": asset.id, "frame": position})
        initial["keyframes"] = keyframes
    else:
        initial[f"{where}_frame"] = asset.id
    initial["mode"] = "video"
    return initial
