"""type "video_edit": re-render a source video with a look from the prompt.

How far the result departs from the source grows with the strength preset
(adhere_1 .. reimagine_3 -> amount 1/9 .. 1):
  - grade: a gradient map through the prompt's palette, mixed in by 0.85 x amount;
  - stylisation (flex and beyond): a painterly blur + posterise, growing with amount;
  - displacement (reimagine mostly): a slowly drifting smooth warp, amount^2 x 1.5 % of width.
Controls pull the result back toward the source structure, as their names say:
  - depth: keeps geometry, scaling the displacement by 0.25 + 0.75 x blur;
  - pose: scales the displacement by 0.15 (precise) or 0.5 (coarse);
  - trajectory: scales the displacement by 0.3 + 0.7 x sparsity (sparse tracks bind less);
  - normals: adds the source's fine luminance detail (its shading) back, weighted 1 - augmentation;
  - face: skin-toned areas (a YCrCb skin box, per frame) keep 80 % of the source, so faces
    stay recognisable.
auto_controls picks flex_2 with depth and pose (precise) on.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from studio.media.decode import iter_rgb
from studio.media.probe import MediaError, probe_video
from studio.render.fit import cover_fit
from studio.render.generate import fitted_anchors
from studio.render.look import Look, look_for
from studio.render.types import RenderError, RenderJob

Frame = tuple[np.ndarray, bool]
STRENGTHS = [f"{family}_{n}" for family in ("adhere", "flex", "reimagine") for n in (1, 2, 3)]
DEFAULT_STRENGTH = "flex_2"
_ANCHOR_REACH = 12  # frames over which an edit keyframe's influence fades out


def amount_for(strength: str | None) -> float:
    name = strength or DEFAULT_STRENGTH
    if name not in STRENGTHS:
        raise RenderError(f"video.edit.strength: unknown preset '{name}'")
    return (STRENGTHS.index(name) + 1) / len(STRENGTHS)


def _enabled(controls: dict, name: str) -> dict | None:
    c = controls.get(name)
    return c if isinstance(c, dict) and c.get("enabled") else None


class Stylist:
    def __init__(
        self, look: Look, amount: float, controls: dict, width: int, height: int, seed: int
    ) -> None:
        self.amount = amount
        self.width, self.height = width, height
        cols = look.colours
        # Dark -> light stops of the gradient map.
        stops = np.stack([cols[3] * 0.35, cols[3], cols[2], cols[1], cols[4]]).astype(np.float32)
        xs = np.linspace(0, 255, len(stops))
        lut = np.stack([np.interp(np.arange(256), xs, stops[:, c]) for c in range(3)], axis=1)
        self.lut = np.clip(lut, 0, 255).astype(np.uint8).reshape(256, 1, 3)
        self.grade = 0.85 * amount
        self.style = max(0.0, (amount - 0.3) / 0.7)
        disp = 0.015 * width * amount**2
        if c := _enabled(controls, "depth"):
            disp *= 0.25 + 0.75 * float(c.get("blur", 0.0))
        if c := _enabled(controls, "pose"):
            disp *= 0.15 if c.get("strength", "precise") == "precise" else 0.5
        if c := _enabled(controls, "trajectory"):
            disp *= 0.3 + 0.7 * float(c.get("sparsity", 0.0))
        self.disp = disp
        n = _enabled(controls, "normals")
        self.detail = 0.0 if n is None else 1.0 - float(n.get("augmentation", 0.0))
        self.protect_faces = _enabled(controls, "face") is not None
        rng = np.random.default_rng(seed)
        self.fields = [self._field(rng) for _ in range(2)]
        self.gx, self.gy = np.meshgrid(
            np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
        )

    def _field(self, rng: np.random.Generator) -> np.ndarray:
        grid = rng.standard_normal((6, 10, 2)).astype(np.float32)
        return cv2.resize(grid, (self.width, self.height), interpolation=cv2.INTER_CUBIC)

    def _skin(self, rgb: np.ndarray) -> np.ndarray:
        """Soft mask of skin tones (the classic YCrCb box), computed at 1/4 size."""
        small = cv2.resize(
            rgb, (max(8, self.width // 4), max(8, self.height // 4)), interpolation=cv2.INTER_AREA
        )
        ycc = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb)
        mask: np.ndarray = (
            cv2.inRange(ycc, (40, 135, 85), (250, 172, 125)).astype(np.float32) / 255.0
        )
        mask = cv2.GaussianBlur(mask, (0, 0), 2.0)
        return (
            cv2.resize(mask, (self.width, self.height), interpolation=cv2.INTER_LINEAR)[:, :, None]
            * 0.8
        )

    def apply(self, src: np.ndarray, i: int) -> np.ndarray:
        out = src
        if self.disp > 0.5:
            phase = 0.5 - 0.5 * math.cos(i / 48.0 * math.pi)
            f = self.fields[0] * (1 - phase) + self.fields[1] * phase
            out = cv2.remap(
                out, self.gx + self.disp * f[:, :, 0], self.gy + self.disp * f[:, :, 1], cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REFLECT,
            )  # fmt: skip
        if self.style > 0:
            k = 2 + int(6 * self.style)
            small = cv2.resize(
                out,
                (max(8, self.width // k), max(8, self.height // k)),
                interpolation=cv2.INTER_AREA,
            )
            levels = 256 // (4 + int(10 * (1 - self.style)))
            small = (small // levels) * levels + levels // 2
            paint = cv2.resize(small, (self.width, self.height), interpolation=cv2.INTER_CUBIC)
            out = cv2.addWeighted(out, 1 - self.style * 0.8, paint, self.style * 0.8, 0)
        if self.grade > 0:
            gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
            mapped = cv2.LUT(cv2.merge([gray, gray, gray]), self.lut)
            out = cv2.addWeighted(out, 1 - self.grade, mapped, self.grade, 0)
        if self.detail > 0:
            g = cv2.cvtColor(src, cv2.COLOR_RGB2GRAY).astype(np.float32)
            hp = (g - cv2.GaussianBlur(g, (0, 0), 3.0)) * self.detail
            out = np.clip(out.astype(np.float32) + hp[:, :, None], 0, 255).astype(np.uint8)
        if self.protect_faces:
            m = self._skin(src)
            out = (out * (1 - m) + src * m).astype(np.uint8)
        return out


def source_facts(source: Path | None, what: str) -> tuple[Path, int]:
    if source is None or not Path(source).exists():
        raise RenderError(f"{what}: the source video is missing")
    try:
        facts = probe_video(Path(source))
    except MediaError as exc:
        raise RenderError(f"{what}: the source video cannot be read: {exc}") from exc
    return Path(source), facts.frames


def decoded(source: Path, what: str) -> Iterator[np.ndarray]:
    try:
        yield from iter_rgb(source)
    except MediaError as exc:
        raise RenderError(f"{what}: the source video cannot be decoded: {exc}") from exc


def edit_frames(job: RenderJob) -> tuple[int, Iterator[Frame]]:
    source, count = source_facts(job.source, "source")
    controls = dict(job.edit_controls or {})
    strength = job.edit_strength
    if job.edit_auto:
        strength = strength or DEFAULT_STRENGTH
        controls.setdefault("depth", {"enabled": True, "blur": 0.0})
        controls.setdefault("pose", {"enabled": True, "strength": "precise"})
    amount = amount_for(strength)
    pins = fitted_anchors(job.edit_anchors, count, job.width, job.height, "video.edit.keyframes")
    stylist = Stylist(
        look_for(job.prompt, job.seed), amount, controls, job.width, job.height, job.seed
    )

    def frames() -> Iterator[Frame]:
        for i, rgb in enumerate(decoded(source, "source")):
            if i in pins:
                yield pins[i], True
                continue
            out = stylist.apply(cover_fit(rgb, job.width, job.height), i)
            near = [(abs(i - k), k) for k in pins if abs(i - k) < _ANCHOR_REACH]
            if near:
                dist, k = min(near)
                w = (1 - dist / _ANCHOR_REACH) ** 2
                out = cv2.addWeighted(out, 1 - w, pins[k], w, 0)
            yield out, False

    return count, frames()
