"""Filling the composer in from a gallery clip: remix, promote, extend, edit, reframe,
or one frame of a clip placed as a start, end or keyframe."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from studio import mediastore
from studio.composer.assets import UploadRejected, png_bytes, store_bytes
from studio.composer.body import build_body
from studio.contract import FPS, RESOLUTIONS, GenerationRequest, broken_rules, facts_of, max_index
from studio.contract.models import DEFAULT_DURATION, DEFAULT_RESOLUTION, DURATIONS
from studio.generations.models import Asset, Generation, Output
from studio.media.decode import iter_frames
from studio.media.probe import MediaError
from studio.teams.models import Membership

PREFILL_ACTIONS = ("extend_forward", "extend_backward", "edit", "reframe", "remix", "promote")
# Stands in for the chosen clip when the rule table is asked about a prefilled composition.
_SOME_CLIP = {"generation_id": "00000000-0000-4000-8000-000000000000"}


class PrefillError(Exception):
    """A prefill link that cannot be followed; the message is for the person."""


def defaults() -> dict[str, Any]:
    """A fresh composition: the contract's default resolution and duration."""
    return {
        "mode": "video",
        "resolution": DEFAULT_RESOLUTION,
        "duration": DEFAULT_DURATION,
        "direction": "forward",
    }


def promoted_resolution(resolution: str | None) -> str:
    """A promote's resolution: one step up, and never below the default."""
    rank = RESOLUTIONS.index
    current = resolution if resolution in RESOLUTIONS else DEFAULT_RESOLUTION
    step_up = RESOLUTIONS[min(rank(current) + 1, len(RESOLUTIONS) - 1)]
    return max(step_up, DEFAULT_RESOLUTION, key=rank)


def _broken(composition: dict[str, Any]) -> set[str] | None:
    """The names of the rules this composition breaks; None when it is no request at all."""
    source = _SOME_CLIP if composition.get("source") else None
    try:
        request = GenerationRequest.model_validate(build_body(composition, source))
    except (ValidationError, KeyError, TypeError):
        return None
    return {rule.name for rule in broken_rules(facts_of(request))}


def hdr_allowed(composition: dict[str, Any]) -> bool:
    """Whether the rule table lets this composition have HDR: turning it on breaks no
    rule that the composition did not break already."""
    without = _broken({**composition, "hdr": False, "exr_export": False})
    with_hdr = _broken({**composition, "hdr": True, "exr_export": False})
    return without is not None and with_hdr is not None and with_hdr <= without


def composition_of(generation: Generation) -> dict[str, Any]:
    stored = {k: v for k, v in (generation.composition or {}).items() if not k.startswith("_")}
    return {**defaults(), **stored} if stored else {**defaults(), "prompt": generation.prompt}


def from_source(action: str, source: Generation) -> tuple[dict[str, Any], str]:
    """(initial values, action to record) for a prefill link about ``source``."""
    if action in ("remix", "promote"):
        initial = composition_of(source)
        if action == "promote":
            initial["resolution"] = promoted_resolution(initial.get("resolution"))
            # A promote is the final: HDR where the contract allows it with the rest of
            # the composition.
            initial["hdr"] = bool(initial.get("hdr")) or hdr_allowed(initial)
        return initial, action
    if source.state != Generation.State.COMPLETED:
        raise PrefillError("Only a completed clip can be extended, edited or reframed.")
    key = f"g:{source.id}"
    if action.startswith("extend_"):
        direction = action.removeprefix("extend_")
        initial = {**defaults(), "mode": "extend", "source": key, "direction": direction}
        initial["prompt"] = source.prompt
        initial["resolution"] = source.resolution
        return initial, action
    initial = {**defaults(), "mode": action, "source": key, "prompt": source.prompt}
    if action == "reframe":
        initial["aspect_ratio"] = "9:16" if source.aspect_ratio in ("", "16:9", "21:9") else "16:9"
    return initial, action


def _video_name(generation: Generation) -> str:
    outputs = {o.kind: o for o in generation.outputs.all()}
    # An HDR original decodes tone-mapped either way; the SDR preview is cheaper to read.
    chosen = outputs.get(Output.Kind.PREVIEW) if generation.hdr else None
    chosen = chosen or outputs.get(Output.Kind.VIDEO)
    if chosen is None or not chosen.file.name:
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
        # On the grid of the composition's duration, where the timeline can show it.
        duration = initial.get("duration") or DEFAULT_DURATION
        top = max_index(duration if duration in DURATIONS else DEFAULT_DURATION)
        position = min(frame, top)
        while position in taken:
            position = (position + 1) % (top + 1)
        keyframes.append({"asset": asset.id, "frame": position})
        initial["keyframes"] = keyframes
    else:
        initial[f"{where}_frame"] = asset.id
    initial["mode"] = "video"
    return initial
