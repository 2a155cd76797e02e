"""A finger on the screen, through Chromium's own touch input.

The touches go in through the DevTools protocol (`Input.dispatchTouchEvent`), the way a
touch screen's do: the page gets the touch events and the pointer events (pointerType
"touch") the browser makes of them, and the browser's own panning and `touch-action`
apply, so a drag the page leaves to the browser scrolls instead of dragging. The page's
context needs `has_touch=True`.
"""

from __future__ import annotations

from typing import Any


class Finger:
    """One finger: `down`, any number of `move`s, `up`. Points are in CSS pixels of the
    viewport, as `bounding_box()` gives them."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.session = page.context.new_cdp_session(page)
        self.at = (0.0, 0.0)

    def _send(self, kind: str, points: list[dict[str, float]]) -> None:
        self.session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x: float, y: float) -> None:
        self._send("touchStart", [{"x": x, "y": y}])
        self.at = (x, y)

    def move(self, x: float, y: float, steps: int = 1) -> None:
        """Slide to (x, y) in `steps` even moves from where the finger is."""
        x0, y0 = self.at
        for i in range(1, steps + 1):
            self._send(
                "touchMove", [{"x": x0 + (x - x0) * i / steps, "y": y0 + (y - y0) * i / steps}]
            )
        self.at = (x, y)

    def up(self) -> None:
        """Lift the finger, after a moment still where it is (as a finger placing
        something does): lifted while moving it would be a fling, and a tap during a
        fling only stops it."""
        self.page.wait_for_timeout(150)
        self._send("touchMove", [{"x": self.at[0], "y": self.at[1]}])
        self._send("touchEnd", [])
        self.session.detach()


def drag(page: Any, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """Put a finger down at `start`, slide it to `end`, lift it."""
    finger = Finger(page)
    finger.down(*start)
    finger.move(*end, steps=steps)
    finger.up()


def centre(box: dict[str, float]) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
