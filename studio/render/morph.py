"""Optical-flow morphing between two frames (OpenCV DIS flow).

Both ends are warped toward the intermediate time and blended. Where the flow
fails the forward-backward check (occlusions, content that exists in only one
frame) it is faded to zero, so the morph falls back to a plain crossfade there.
"""

from __future__ import annotations

import cv2
import numpy as np

# Flow is estimated at most this wide, then scaled up: morphs need the large
# motions right, not per-pixel detail, and DIS cost grows with area.
_FLOW_WIDTH = 480
# Forward-backward disagreement (in canvas pixels) beyond which flow is distrusted.
_FB_TOLERANCE = 2.0


def _flow_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = a.shape[:2]
    scale = min(1.0, _FLOW_WIDTH / w)
    sw, sh = max(8, round(w * scale)), max(8, round(h * scale))
    ga = cv2.cvtColor(cv2.resize(a, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    gb = cv2.cvtColor(cv2.resize(b, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    # OpenCV takes None for an output array (it allocates one); its stubs do not say so.
    fab = dis.calc(ga, gb, None)  # type: ignore[call-overload]
    fba = dis.calc(gb, ga, None)  # type: ignore[call-overload]
    return fab, fba


def _reliability(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """1 where following f then g returns home, fading to 0 where it does not."""
    h, w = f.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    back = cv2.remap(
        g, gx + f[:, :, 0], gy + f[:, :, 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    err = np.linalg.norm(f + back, axis=2)
    rel = np.clip(1.5 - err / _FB_TOLERANCE, 0.0, 1.0).astype(np.float32)
    return cv2.GaussianBlur(rel, (0, 0), 2.0)


class Morph:
    """Frames between `a` (t=0) and `b` (t=1); `at(0)` is exactly `a`, `at(1)` exactly `b`."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a, self.b = a, b
        h, w = a.shape[:2]
        fab, fba = _flow_pair(a, b)
        fab = fab * _reliability(fab, fba)[:, :, None]
        fba = fba * _reliability(fba, fab)[:, :, None]
        sh, sw = fab.shape[:2]
        scale = np.array([w / sw, h / sh], np.float32)
        self.fab = cv2.resize(fab, (w, h), interpolation=cv2.INTER_LINEAR) * scale
        self.fba = cv2.resize(fba, (w, h), interpolation=cv2.INTER_LINEAR) * scale
        self.gx, self.gy = np.meshgrid(
            np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
        )

    def at(self, t: float) -> np.ndarray:
        if t <= 0.0:
            return self.a
        if t >= 1.0:
            return self.b
        # Backward warping with the flow sampled at the target pixel: a standard
        # approximation that holds for the smooth flows DIS gives.
        wa = cv2.remap(
            self.a,
            self.gx - t * self.fab[:, :, 0],
            self.gy - t * self.fab[:, :, 1],
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        u = 1.0 - t
        wb = cv2.remap(
            self.b,
            self.gx - u * self.fba[:, :, 0],
            self.gy - u * self.fba[:, :, 1],
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return cv2.addWeighted(wa, u, wb, t, 0.0)
