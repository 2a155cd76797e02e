"""Small helpers for the renderer's tests: decode, compare, build test pictures."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.media.decode import iter_rgb
from studio.render.look import camera_at, look_for
from studio.render.scene import Scene


def frames_of(video: Path) -> list[np.ndarray]:
    return list(iter_rgb(video))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def neighbour_diffs(frames: list[np.ndarray]) -> list[float]:
    return [mad(a, b) for a, b in zip(frames, frames[1:], strict=False)]


def picture(prompt: str, width: int, height: int, at: float = 0.3) -> np.ndarray:
    """A natural-looking test picture (a rendered landscape), with a bright square for structure."""
    look = look_for(prompt)
    img = Scene(look, width, height).frame(camera_at(look, at)).copy()
    s = min(width, height) // 5
    img[height // 3 : height // 3 + s, width // 3 : width // 3 + s] = (240, 240, 235)
    return img
