"""Files FFmpeg can name but not decode: refused as MediaError, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.media import MediaError, probe_video
from studio.media.decode import iter_rgb

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<rect width="64" height="64" fill="red"/></svg>'
)


def test_an_svg_cannot_be_sized_as_a_video(tmp_path: Path) -> None:
    """FFmpeg reads an SVG as an image pipe it has no decoder for."""
    path = tmp_path / "drawing.mp4"
    path.write_bytes(SVG)
    with pytest.raises(MediaError, match="no decoder"):
        probe_video(path)
    with pytest.raises(MediaError):
        next(iter_rgb(path))
