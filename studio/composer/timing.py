"""What the timeline needs beyond the contract's facts (studio.contract.browser): the
keyframe positions of the team's earlier generations, to copy their timing onto new images."""

from __future__ import annotations

from typing import Any

from studio.generations.models import Generation
from studio.teams.models import Team

# The picker lists the newest few: enough to find last week's shot, small enough to
# serialise into the page.
TIMING_SOURCES_SHOWN = 40


def _frames(generation: Generation) -> list[int] | None:
    video = (generation.request or {}).get("video")
    frames = video.get("keyframe_indexes") if isinstance(video, dict) else None
    if not isinstance(frames, list) or not frames:
        return None
    # An imported request is whatever the API held: keep only whole, non-negative frames.
    if not all(isinstance(f, int) and not isinstance(f, bool) and f >= 0 for f in frames):
        return None
    return sorted(set(frames))


def timing_sources(team: Team) -> list[dict[str, Any]]:
    """The team's earlier keyframe generations, newest first, with their positions."""
    rows = []
    # Like every picker, it offers what is not in the trash.
    query = (
        Generation.objects.live()
        .filter(team=team, kind="video", request__video__has_key="keyframe_indexes")
        .order_by("-created_at", "-id")
    )
    for generation in query.only("id", "prompt", "request", "duration", "created_at")[
        :TIMING_SOURCES_SHOWN
    ]:
        frames = _frames(generation)
        if frames is None:
            continue
        prompt = " ".join(generation.prompt.split())
        rows.append(
            {
                "id": str(generation.id),
                "label": f"{prompt[:50] or 'Untitled'} · {len(frames)} keyframes, "
                f"{generation.duration} · {generation.created_at:%Y-%m-%d}",
                "frames": frames,
                "duration": generation.duration,
            }
        )
    return rows
