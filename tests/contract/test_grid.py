from __future__ import annotations

import pytest

from studio.contract import (
    ASPECT_RATIOS,
    FPS,
    RESOLUTIONS,
    duration_seconds,
    frame_count,
    max_index,
    output_size,
    source_max_index,
)


@pytest.mark.parametrize("resolution", RESOLUTIONS)
@pytest.mark.parametrize("aspect_ratio", ASPECT_RATIOS)
def test_every_size_is_even_with_the_short_side_fixed(resolution: str, aspect_ratio: str) -> None:
    width, height = output_size(resolution, aspect_ratio)
    assert width % 2 == 0 and height % 2 == 0
    assert min(width, height) == int(resolution.removesuffix("p"))
    ratio_w, ratio_h = (int(n) for n in aspect_ratio.split(":"))
    # Within one even step of the exact ratio.
    assert abs(width * ratio_h - height * ratio_w) <= 2 * max(ratio_w, ratio_h)
    assert (width >= height) == (ratio_w >= ratio_h)


@pytest.mark.parametrize(
    ("resolution", "aspect_ratio", "size"),
    [
        ("720p", "16:9", (1280, 720)),
        ("720p", "9:16", (720, 1280)),
        ("1080p", "21:9", (2520, 1080)),
        ("1080p", "16:9", (1920, 1080)),
        ("540p", "4:3", (720, 540)),
        ("360p", "16:9", (640, 360)),
        ("360p", "3:4", (360, 480)),
        ("540p", "1:1", (540, 540)),
        ("540p", "21:9", (1260, 540)),
        ("720p", None, (1280, 720)),
    ],
)
def test_known_sizes(resolution: str, aspect_ratio: str | None, size: tuple[int, int]) -> None:
    assert output_size(resolution, aspect_ratio) == size


def test_frames() -> None:
    assert FPS == 24
    assert (frame_count("5s"), frame_count("10s")) == (121, 241)
    assert (max_index("5s"), max_index("10s")) == (120, 240)
    assert (duration_seconds("5s"), duration_seconds("10s")) == (5, 10)
    assert source_max_index(5.0) == 120
    assert source_max_index(18.0) == 432
    assert source_max_index(0.0) == 0


@pytest.mark.parametrize("bad", [("4k", "16:9"), ("720p", "2:1")])
def test_unknown_values_raise_value_error(bad: tuple[str, str]) -> None:
    with pytest.raises(ValueError):
        output_size(*bad)
    with pytest.raises(ValueError):
        frame_count("7s")
