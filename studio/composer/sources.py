"""Clips the composer can start from: the team's completed videos and uploaded videos."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from studio.contract import DURATIONS, duration_seconds, is_uuid
from studio.contract.parsing import parse_id
from studio.generations.models import Asset, Generation, Output
from studio.teams.models import Team

GALLERY_LIMIT = 60


@dataclass(frozen=True)
class Source:
    key: str  # "g:<generation uuid>" or "a:<asset id>"
    label: str
    seconds: float | None
    width: int | None
    height: int | None
    poster_url: str
    generation: Generation | None = None
    asset: Asset | None = None

    def ref(self) -> dict[str, str]:
        if self.generation is not None:
            return {"generation_id": str(self.generation.remote_id)}
        assert self.asset is not None
        return {"file_id": f"asset:{self.asset.id}"}


def completed_clips(team: Team) -> list[Generation]:
    """The team's completed videos, picks first, newest first."""
    return list(
        Generation.objects.live()
        .filter(team=team, state=Generation.State.COMPLETED, remote_id__isnull=False)
        .prefetch_related("outputs")
        .order_by("-picked", "-created_at", "-id")[:GALLERY_LIMIT]
    )


def _media_url(output: Output | None) -> str:
    return reverse("generations:media", args=[output.file.name]) if output else ""


def generation_source(generation: Generation) -> Source:
    outputs = {o.kind: o for o in generation.outputs.all()}
    video = outputs.get(Output.Kind.VIDEO)
    seconds = generation.duration_s
    if seconds is None and video is not None and video.frames and video.fps:
        seconds = (video.frames - 1) / video.fps
    if seconds is None and generation.kind == "video" and generation.duration in DURATIONS:
        seconds = float(duration_seconds(generation.duration))
    star = "★ " if generation.picked else ""
    return Source(
        key=f"g:{generation.id}",
        label=f"{star}{generation.prompt[:60]}",
        seconds=seconds,
        width=video.width if video else None,
        height=video.height if video else None,
        poster_url=_media_url(outputs.get(Output.Kind.POSTER)),
        generation=generation,
    )


def asset_source(asset: Asset) -> Source:
    return Source(
        key=f"a:{asset.id}",
        label=f"Upload: {asset.original_name}",
        seconds=asset.duration_s,
        width=asset.width,
        height=asset.height,
        poster_url="",
        asset=asset,
    )


def team_sources(team: Team) -> list[Source]:
    clips = [generation_source(g) for g in completed_clips(team)]
    uploads = Asset.objects.filter(team=team, kind=Asset.Kind.VIDEO).order_by("-created_at")[:20]
    return clips + [asset_source(a) for a in uploads]


def find_source(team: Team, key: str) -> Source | None:
    """The source a form value names, only if it belongs to this team and is usable."""
    kind, _, value = key.partition(":")
    if kind == "g":
        # Trashed and purged ones too (no longer in the picker): a tombstone's remote id
        # can still be extended while the API keeps the generation.
        generation = (
            Generation.objects.filter(
                team=team, id=value, state=Generation.State.COMPLETED, remote_id__isnull=False
            )
            .prefetch_related("outputs")
            .first()
            if is_uuid(value)
            else None
        )
        return generation_source(generation) if generation else None
    asset_id = parse_id(value) if kind == "a" else None
    if asset_id is not None:
        asset = Asset.objects.filter(team=team, id=asset_id, kind=Asset.Kind.VIDEO).first()
        return asset_source(asset) if asset else None
    return None
