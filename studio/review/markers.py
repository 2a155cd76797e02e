"""Markers for the edit: a generation's comments as markers, and clips as one timeline.

Every file is written by OpenTimelineIO and its adapters (``cmx_3600`` for the EDL,
``fcp_xml`` for FCP 7 XML), never by hand. One marker per thread: the head comment's frame
(or range) on the clip, counted from the clip's frame 0; its replies join the marker's note.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import opentimelineio as otio
from django.db.models import Prefetch

from studio.contract import FPS, frame_count
from studio.generations.models import Generation, Output
from studio.review.models import Comment

# Each timeline file, by its suffix: (OTIO adapter, content type).
FORMATS: dict[str, tuple[str, str]] = {
    "edl": ("cmx_3600", "text/plain; charset=utf-8"),
    "otio": ("otio_json", "application/json"),
    "xml": ("fcp_xml", "application/xml"),
}
CSV_COLUMNS = ("frame", "end_frame", "timecode", "author", "state", "text")
# A marker's name is one line (an EDL's `* LOC:` line ends at the line's end); the full
# text stays in the note.
NAME_CHARS = 120
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLOURS = {"open": otio.schema.MarkerColor.RED, "resolved": otio.schema.MarkerColor.GREEN}


@dataclass(frozen=True)
class Marker:
    comment_id: int
    frame: int
    end_frame: int | None  # the range's last frame, included; None for one frame
    author: str
    state: str  # "open" or "resolved"
    text: str  # the comment, then its replies, one per line

    @property
    def duration(self) -> int:
        """Frames covered: 0 for a marker on one frame (a point, as editors show it)."""
        return 0 if self.end_frame is None else self.end_frame - self.frame + 1

    @property
    def timecode(self) -> str:
        return timecode(self.frame)

    @property
    def name(self) -> str:
        """ "Ann Lee (open): Flicker on the left", on one line."""
        line = re.sub(r"\s+", " ", f"{self.author} ({self.state}): {self.text}").strip()
        return line if len(line) <= NAME_CHARS else line[: NAME_CHARS - 1] + "…"


def timecode(frame: int) -> str:
    """HH:MM:SS:FF at the contract's frame rate, frame 0 being 00:00:00:00."""
    return otio.opentime.to_timecode(otio.opentime.RationalTime(frame, FPS), FPS)


def markers_of(generation: Generation) -> list[Marker]:
    """The generation's markers in frame order: one per thread pinned to a frame.

    A deleted head that still has replies stays (as the page keeps it), as "[deleted]".
    """
    live = Comment.objects.filter(deleted_at__isnull=True).select_related("author")
    heads = (
        Comment.objects.filter(generation=generation, parent__isnull=True, frame__isnull=False)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=live.order_by("created_at", "id")))
        .order_by("frame", "created_at", "id")
    )
    out = []
    for head in heads:
        assert head.frame is not None  # only threads pinned to a frame
        replies = list(head.replies.all())
        if head.is_deleted and not replies:
            continue
        lines = ["[deleted]" if head.is_deleted else head.body]
        lines += [f"{r.display_name}: {r.body}" for r in replies]
        out.append(
            Marker(
                comment_id=head.pk,
                frame=head.frame,
                end_frame=head.end_frame,
                author=head.display_name,
                state="resolved" if head.is_resolved else "open",
                text="\n".join(lines),
            )
        )
    return out


def _cell(value: str) -> str:
    # A leading quote keeps a note such as "=HYPERLINK(...)" text in a spreadsheet.
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(markers: list[Marker]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for m in markers:
        end = "" if m.end_frame is None else m.end_frame
        writer.writerow([m.frame, end, m.timecode, _cell(m.author), m.state, _cell(m.text)])
    return buffer.getvalue()


def _rt(frames: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, FPS)


def playable_output(generation: Generation) -> Output | None:
    """The clip an editor cuts with: the original, or the SDR preview of an HDR original
    (the player's choice, so the frames counted are the ones reviewers commented on)."""
    from studio.review.page import outputs_by_kind, player_for

    player = player_for(generation, outputs_by_kind(generation))
    return player.output if player is not None else None


def clip_frames(generation: Generation, output: Output | None) -> int:
    if output is not None and output.frames:
        return output.frames
    try:
        return frame_count(generation.duration)
    except ValueError:
        return 1


def one_line(text: str, limit: int = 80) -> str:
    line = re.sub(r"\s+", " ", text).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def clip_of(
    generation: Generation, markers: list[Marker], media_url: Callable[[Output], str]
) -> otio.schema.Clip:
    """The generation as a clip from its frame 0, with its markers on it."""
    output = playable_output(generation)
    length = otio.opentime.TimeRange(_rt(0), _rt(clip_frames(generation, output)))
    reference: otio.core.MediaReference
    if output is not None:
        # Named by the generation's id: the EDL's reel is cut from this name.
        reference = otio.schema.ExternalReference(
            target_url=media_url(output), available_range=length
        )
        reference.name = f"{generation.id.hex}.mp4"
    else:
        reference = otio.schema.MissingReference()
    clip = otio.schema.Clip(
        name=one_line(generation.prompt, 60) or str(generation.id),
        media_reference=reference,
        source_range=length,
        metadata={"studio": {"generation": str(generation.id), "prompt": generation.prompt}},
    )
    for m in markers:
        marker = otio.schema.Marker(
            name=m.name,
            marked_range=otio.opentime.TimeRange(_rt(m.frame), _rt(m.duration)),
            color=COLOURS[m.state],
            comment=m.text,
            metadata={
                "studio": {
                    "comment": m.comment_id,
                    "frame": m.frame,
                    "end_frame": m.end_frame,
                    "author": m.author,
                    "state": m.state,
                }
            },
        )
        clip.markers.append(marker)
    return clip


def timeline_of(name: str, clips: list[otio.schema.Clip]) -> otio.schema.Timeline:
    """One video track, the clips end to end in the order given."""
    timeline = otio.schema.Timeline(name=one_line(name), global_start_time=_rt(0))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for clip in clips:
        track.append(clip)
    timeline.tracks.append(track)
    return timeline


def write(timeline: otio.schema.Timeline, fmt: str) -> str:
    """The timeline in one of `FORMATS`."""
    adapter = FORMATS[fmt][0]
    if adapter == "fcp_xml":
        # FCP 7 keeps a marker's note in its <comment>; the adapter writes what the
        # marker's `fcp_xml` metadata holds.
        timeline = copy.deepcopy(timeline)
        for clip in timeline.find_clips():
            for marker in clip.markers:
                marker.metadata["fcp_xml"] = {"comment": marker.comment}
    return otio.adapters.write_to_string(timeline, adapter)
