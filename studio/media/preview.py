"""An H.264 SDR copy of a video, for browsers that cannot play HEVC HDR."""

from __future__ import annotations

from pathlib import Path

from studio.media.decode import iter_rgb
from studio.media.encode import VideoWriter
from studio.media.probe import MediaError, probe_video


def sdr_preview(video: Path, dest: Path) -> Path:
    """Tone-map (PQ -> linear -> soft shoulder -> BT.709/sRGB) and re-encode as H.264 yuv420p.

    Same frame count and rate as the source. An SDR source is simply re-encoded.
    """
    facts = probe_video(Path(video))
    fps = round(facts.fps) or 24
    # 4:2:0 needs even sizes; an odd source loses its last row/column.
    width, height = facts.width // 2 * 2, facts.height // 2 * 2
    with VideoWriter(Path(dest), width, height, fps=fps, hdr=False) as writer:
        for rgb in iter_rgb(Path(video)):
            writer.write(rgb[:height, :width] if rgb.shape[:2] != (height, width) else rgb)
        if writer.frames_written == 0:
            raise MediaError("the video has no frames")
    return Path(dest)
