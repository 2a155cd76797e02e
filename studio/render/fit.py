"""Fit images to the canvas."""

from __future__ import annotations

import cv2
import numpy as np

from studio.render.types import RenderError


def as_rgb8(image: np.ndarray, what: str = "image") -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.shape[0] < 2 or arr.shape[1] < 2:
        raise RenderError(f"{what}: expected an RGB image, got an array of shape {arr.shape}")
    if arr.dtype != np.uint8:
        raise RenderError(f"{what}: expected 8-bit pixels, got {arr.dtype}")
    return np.ascontiguousarray(arr[:, :, :3])


def cover_fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale to cover width x height, then crop the centre (no bars, no stretching)."""
    img = as_rgb8(image)
    h, w = img.shape[:2]
    if (w, h) == (width, height):
        return img
    scale = max(width / w, height / h)
    nw, nh = max(width, round(w * scale)), max(height, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(img, (nw, nh), interpolation=interp)
    x0, y0 = (nw - width) // 2, (nh - height) // 2
    return np.ascontiguousarray(resized[y0 : y0 + height, x0 : x0 + width])
