"""Prompt words -> palette and camera move. Deterministic for the same prompt and seed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

# Each palette: sky top, sky horizon, far land, near land, light (sun/moon glow).
PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "sunrise": ((70, 90, 160), (255, 170, 110), (150, 100, 120), (70, 50, 70), (255, 220, 160)),
    "sunset": ((60, 40, 110), (255, 120, 60), (120, 60, 80), (50, 25, 45), (255, 190, 120)),
    "night": ((5, 10, 35), (25, 40, 90), (20, 25, 55), (8, 10, 25), (200, 210, 255)),
    "forest": ((120, 170, 150), (200, 220, 180), (60, 110, 60), (25, 60, 30), (240, 250, 210)),
    "ocean": ((40, 100, 180), (150, 200, 230), (30, 90, 150), (15, 50, 100), (240, 250, 255)),
    "desert": ((100, 150, 210), (240, 210, 160), (210, 150, 90), (160, 100, 60), (255, 240, 200)),
    "snow": ((150, 180, 215), (235, 240, 250), (200, 210, 225), (160, 175, 195), (255, 255, 255)),
    "city": ((40, 45, 70), (180, 120, 140), (60, 60, 80), (30, 30, 45), (255, 200, 150)),
    "default": ((90, 140, 200), (205, 220, 235), (110, 130, 150), (60, 80, 90), (255, 245, 225)),
}

_WORDS: dict[str, str] = {
    "sunrise": "sunrise", "dawn": "sunrise", "morning": "sunrise",
    "sunset": "sunset", "dusk": "sunset", "golden": "sunset", "evening": "sunset", "warm": "sunset",
    "night": "night", "midnight": "night", "moon": "night", "moonlit": "night", "stars": "night", "dark": "night",
    "forest": "forest", "jungle": "forest", "woods": "forest", "trees": "forest", "meadow": "forest",
    "grass": "forest", "green": "forest",
    "ocean": "ocean", "sea": "ocean", "beach": "ocean", "water": "ocean", "lake": "ocean", "river": "ocean",
    "underwater": "ocean", "blue": "ocean",
    "desert": "desert", "sand": "desert", "dunes": "desert", "canyon": "desert",
    "snow": "snow", "winter": "snow", "ice": "snow", "glacier": "snow", "arctic": "snow",
    "city": "city", "street": "city", "neon": "city", "urban": "city", "cyberpunk": "city",
}  # fmt: skip

# Camera words; the first one found in the prompt wins.
_MOVES: dict[str, str] = {
    "dolly": "push", "push": "push", "zoom": "push", "approach": "push", "closer": "push",
    "pull": "pull", "retreat": "pull", "reveal": "pull",
    "pan": "pan", "track": "pan", "tracking": "pan", "truck": "pan", "slide": "pan",
    "orbit": "orbit", "circle": "orbit", "around": "orbit", "rotate": "orbit",
    "tilt": "tilt", "crane": "tilt", "rise": "tilt", "rising": "tilt", "pedestal": "tilt",
}  # fmt: skip


@dataclass(frozen=True)
class Look:
    palette_name: str
    colours: np.ndarray  # 5 x 3 float32, 0..255
    move: str  # push | pull | pan | orbit | tilt | drift
    direction: float  # +1 or -1 (left/right, up/down)
    rng_seed: int


def _stable_seed(prompt: str, seed: int) -> int:
    digest = hashlib.sha256(f"{seed}\x00{prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def look_for(prompt: str, seed: int = 0) -> Look:
    words = re.findall(r"[a-z]+", prompt.lower())
    names = [_WORDS[w] for w in words if w in _WORDS]
    moves = [_MOVES[w] for w in words if w in _MOVES]
    rng_seed = _stable_seed(prompt, seed)
    if names:
        # Blend the palettes named, weighted by how often each is named, so
        # "forest at sunset" is a green land under a warm sky.
        colours = np.mean([PALETTES[n] for n in names], axis=0)
        sky = PALETTES[names[-1]] if names[-1] in ("sunrise", "sunset", "night") else None
        if sky is not None:
            colours[:2] = np.asarray(sky[:2])
            colours[4] = np.asarray(sky[4])
        name = names[0]
    else:
        rng = np.random.default_rng(rng_seed)
        name = "default"
        # Unknown words: a gentle hue shift of the default palette, fixed per prompt.
        colours = np.asarray(PALETTES["default"], dtype=np.float64)
        colours = np.clip(colours * (0.85 + 0.3 * rng.random(3)), 0, 255)
    direction = (
        -1.0 if any(w in ("left", "down", "backward", "counterclockwise") for w in words) else 1.0
    )
    return Look(
        name,
        np.asarray(colours, dtype=np.float32),
        moves[0] if moves else "drift",
        direction,
        rng_seed,
    )


@dataclass(frozen=True)
class Camera:
    scale: float = 1.0
    tx: float = 0.0  # fraction of canvas width
    ty: float = 0.0  # fraction of canvas height
    angle: float = 0.0  # degrees


def camera_at(look: Look, e: float) -> Camera:
    """Camera at move progress e (0 = start pose; 1 = full move)."""
    d = look.direction
    if look.move == "push":
        return Camera(scale=1.0 + 0.22 * e)
    if look.move == "pull":
        return Camera(scale=1.22 - 0.22 * e)
    if look.move == "pan":
        return Camera(scale=1.05, tx=-d * 0.16 * (e - 0.5))
    if look.move == "orbit":
        return Camera(scale=1.12, tx=-d * 0.10 * (e - 0.5), angle=d * 7.0 * (e - 0.5))
    if look.move == "tilt":
        return Camera(scale=1.05, ty=d * 0.14 * (e - 0.5))
    return Camera(scale=1.04 + 0.04 * e, tx=-d * 0.05 * (e - 0.5))


def affine(
    cam: Camera, depth: float, width: int, height: int, src_scale: float = 1.0
) -> np.ndarray:
    """2x3 matrix mapping a layer (src_scale x canvas, centred) onto the canvas.

    `depth` in 0..1 scales the move: far layers move less (parallax).
    """
    s = (1.0 + (cam.scale - 1.0) * depth) / src_scale
    ang = np.deg2rad(cam.angle * depth)
    cx, cy = width / 2, height / 2
    c, si = np.cos(ang) * s, np.sin(ang) * s
    sw, sh = width * src_scale / 2, height * src_scale / 2
    tx, ty = cam.tx * depth * width, cam.ty * depth * height
    return np.array(
        [[c, -si, cx + tx - (c * sw - si * sh)], [si, c, cy + ty - (si * sw + c * sh)]],
        dtype=np.float64,
    )
