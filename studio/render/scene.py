"""A procedural landscape: gradient sky, glow, and three ridge layers with parallax.

Layers are drawn once, larger than the canvas; each frame only warps and blends
them (at half resolution for big canvases, then upscales), which keeps a 720p
frame to a few milliseconds. Smooth content also encodes fast.

Layers are kept as 4-channel uint8 (ridges with premultiplied colour): OpenCV's
warp is several times faster on 4 channels than on 3, and premultiplied uint8
"over" is a multiply and an add instead of a float blend. A ridge is warped
and blended only from the first canvas row it can reach, since above it the
layer is fully transparent.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.render.look import Camera, Look, affine

# Layers are drawn this much larger than the canvas so camera moves never expose an edge.
MARGIN = 1.4
# (horizon as a fraction of height, depth for parallax, colour mix far->near, roughness)
_RIDGES = ((0.56, 0.35, 0.0, 0.05), (0.68, 0.65, 0.5, 0.07), (0.82, 1.0, 1.0, 0.09))


def _noise(rng: np.random.Generator, w: int, h: int, cells: int) -> np.ndarray:
    """Smooth value noise in 0..1 (a coarse random grid, cubic-upsampled)."""
    gw = max(2, cells)
    gh = max(2, round(cells * h / w))
    grid = rng.random((gh, gw)).astype(np.float32)
    return np.clip(cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC), 0.0, 1.0)


def _first_row(m: np.ndarray, top_row: int, width: int, height: int) -> int:
    """The first canvas row that samples any layer row at or below `top_row` under `m`.

    Rows above it see only transparent layer rows (reflected borders keep a
    row's height, so they add none), so they can skip the warp and the blend.
    """
    inv = cv2.invertAffineTransform(m)
    bx, by, bc = inv[1]
    if by <= 0:  # upside-down or degenerate: no shortcut
        return 0
    # Bilinear sampling reaches one row up; one more row covers rounding.
    reach = top_row - 2 - bc - max(0.0, bx * (width - 1))
    return int(min(height, max(0, np.floor(reach / by))))


class Scene:
    def __init__(self, look: Look, width: int, height: int) -> None:
        self.width, self.height = width, height
        big = width * height > 640 * 360 * 1.5
        self.ww, self.wh = (width // 2, height // 2) if big else (width, height)
        lw, lh = int(self.ww * MARGIN) // 2 * 2, int(self.wh * MARGIN) // 2 * 2
        self.src_scale = lw / self.ww
        rng = np.random.default_rng(look.rng_seed)
        top, horizon, far, near, light = (look.colours[i] for i in range(5))

        y = np.linspace(0.0, 1.0, lh, dtype=np.float32)[:, None, None]
        mix = np.clip(y / 0.62, 0.0, 1.0) ** 1.3
        sky = (top * (1 - mix) + horizon * mix) * np.ones((1, lw, 1), np.float32)
        sx, sy = rng.uniform(0.25, 0.75) * lw, rng.uniform(0.22, 0.42) * lh
        yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
        r2 = ((xx - sx) ** 2 + (yy - sy) ** 2) / (0.09 * lw) ** 2
        glow = np.exp(-r2)[:, :, None] * 0.9 + np.exp(-r2 * 12.0)[:, :, None] * 0.6
        sky = sky + (light - sky) * np.clip(glow, 0, 1)
        clouds = _noise(rng, lw, lh, 9) * _noise(rng, lw, lh, 23)
        cloud_band = np.exp(-(((y[:, :, 0] - 0.28) / 0.16) ** 2))
        sky = (
            sky
            + (light - sky) * (np.clip(clouds * 1.6 - 0.35, 0, 1) * cloud_band * 0.45)[:, :, None]
        )
        self.sky = cv2.cvtColor(np.clip(sky, 0, 255).astype(np.uint8), cv2.COLOR_RGB2RGBA)

        # (premultiplied RGBA, first layer row with any coverage, depth)
        self.layers: list[tuple[np.ndarray, int, float]] = []
        x = np.linspace(0.0, 1.0, lw, dtype=np.float32)
        for base, depth, near_mix, rough in _RIDGES:
            ridge = np.full(lw, base, np.float32)
            for octave in range(4):
                freq = rng.uniform(1.5, 3.0) * 2**octave
                ridge += (
                    rough
                    / 1.8**octave
                    * np.sin(2 * np.pi * (freq * x + rng.random())).astype(np.float32)
                )
            alpha = (yy >= (ridge * lh)[None, :]).astype(np.float32)
            alpha = cv2.GaussianBlur(alpha, (0, 0), 1.2)
            colour = far * (1 - near_mix) + near * near_mix
            # Atmospheric perspective: far ridges lean toward the horizon colour.
            colour = colour + (horizon - colour) * (1 - depth) * 0.45
            shade = 0.78 + 0.4 * _noise(rng, lw, lh, 31) * _noise(rng, lw, lh, 7)
            depth_shade = 1.0 - 0.25 * np.clip((yy - ridge[None, :] * lh) / (0.35 * lh), 0, 1)
            rgb = colour[None, None, :] * (shade * depth_shade * alpha)[:, :, None]
            rgba = np.empty((lh, lw, 4), np.uint8)
            np.copyto(rgba[:, :, :3], np.clip(rgb + 0.5, 0, 255), casting="unsafe")
            np.copyto(rgba[:, :, 3], np.clip(alpha * 255.0 + 0.5, 0, 255), casting="unsafe")
            covered = np.flatnonzero(rgba[:, :, 3].any(axis=1))
            top_row = int(covered[0]) if covered.size else lh
            self.layers.append((rgba, top_row, depth))

    def frame_small(self, cam: Camera) -> np.ndarray:
        """The frame at the working size: the canvas, or exactly half of it for big canvases.

        The sink takes half-size frames as they are (the encoder only needs
        their luma upsampled), which saves a full-size RGB resize per frame.
        """
        ww, wh = self.ww, self.wh
        m = affine(cam, 0.15, ww, wh, self.src_scale)
        out = cv2.warpAffine(
            self.sky, m, (ww, wh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        for rgba, top_row, depth in self.layers:
            m = affine(cam, depth, ww, wh, self.src_scale)
            y0 = _first_row(m, top_row, ww, wh)
            if y0 >= wh:
                continue
            m[1, 2] -= y0  # warp only rows y0.. of the canvas
            rows = out[y0:]
            layer = cv2.warpAffine(
                rgba, m, (ww, wh - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )
            # out = layer + out * (1 - alpha); the 4th channel of `out` is never read.
            clear = cv2.cvtColor(cv2.bitwise_not(cv2.extractChannel(layer, 3)), cv2.COLOR_GRAY2RGBA)
            cv2.multiply(rows, clear, dst=rows, scale=1.0 / 255.0)
            cv2.add(rows, layer, dst=rows)
        return cv2.cvtColor(out, cv2.COLOR_RGBA2RGB)

    def frame(self, cam: Camera) -> np.ndarray:
        """The frame at the canvas size."""
        out = self.frame_small(cam)
        if out.shape[:2] != (self.height, self.width):
            out = cv2.resize(out, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        return out
