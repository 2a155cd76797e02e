"""The one schema of a drawing on a frame: vector shapes in frame-relative coordinates.

A drawing is ``{"shapes": [{"tool", "colour", "points", "text"?}, ...]}``. Every point is
``[x, y]`` with 0 ≤ x, y ≤ 1 across the frame's width and height (0, 0 top left), so it
scales to any player size and to the master's resolution. The player's script reads the
tools, colours and limits from `palette()`, so the page and this check cannot drift.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio.contract import ContractError
from studio.contract.parsing import has_control, parse_json

# Named colours, drawn as these hex values; a drawing names one, never a free colour.
COLOURS: Final = {
    "red": "#ff453a",
    "yellow": "#ffd60a",
    "green": "#32d74b",
    "blue": "#0a84ff",
    "white": "#ffffff",
}
Tool = Literal["freehand", "arrow", "rect", "ellipse", "text"]
TOOLS: Final = get_args(Tool)
Colour = Literal["red", "yellow", "green", "blue", "white"]
assert set(get_args(Colour)) == set(COLOURS), "every named colour has its hex value"
MAX_SHAPES: Final = 64
MAX_POINTS: Final = 1000  # one freehand stroke
MAX_TOTAL_POINTS: Final = 4000
TEXT_MAX: Final = 200
# The form posts a drawing as JSON text: far above any drawing within the limits above.
MAX_DRAWING_BYTES: Final = 256 * 1024
# How many points each tool takes: (fewest, most).
POINTS_OF: Final = {
    "freehand": (2, MAX_POINTS),
    "arrow": (2, 2),  # from, to (the head)
    "rect": (2, 2),  # two opposite corners
    "ellipse": (2, 2),  # two opposite corners of its box
    "text": (1, 1),  # where the text starts (its baseline's left end)
}

Coordinate = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]


class DrawingError(ValueError):
    """A drawing the schema refuses, with the path of the first bad value."""


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    tool: Tool
    colour: Colour
    points: Annotated[list[Point], Field(min_length=1, max_length=MAX_POINTS)]
    text: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)] | None = None

    @model_validator(mode="after")
    def _fits_its_tool(self) -> Shape:
        fewest, most = POINTS_OF[self.tool]
        if not fewest <= len(self.points) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise ValueError(f"the {self.tool} tool takes {wanted} points")
        if self.tool == "text":
            if self.text is None or not self.text.strip():
                raise ValueError("a text shape needs its text")
            if has_control(self.text):
                raise ValueError("the text may not hold control characters")
        elif self.text is not None:
            raise ValueError(f"the {self.tool} tool takes no text")
        return self


class Drawing(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    shapes: Annotated[list[Shape], Field(min_length=1, max_length=MAX_SHAPES)]

    @model_validator(mode="after")
    def _bounded(self) -> Drawing:
        if sum(len(s.points) for s in self.shapes) > MAX_TOTAL_POINTS:
            raise ValueError(f"a drawing holds at most {MAX_TOTAL_POINTS} points in all")
        return self


def _where(loc: tuple[int | str, ...]) -> str:
    path = "drawing"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def clean_drawing(value: Any) -> dict[str, Any] | None:
    """A drawing as it is stored (None for no drawing), or DrawingError naming the field."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DrawingError("drawing: must be an object with shapes")
    try:
        drawing = Drawing.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        message = first["msg"].removeprefix("Value error, ")
        raise DrawingError(f"{_where(first['loc'])}: {message}") from None
    return drawing.model_dump(exclude_none=True)


def drawing_from_text(raw: str | None) -> dict[str, Any] | None:
    """The drawing a form posts as JSON text ("" for none), checked by `clean_drawing`."""
    if raw is None or not raw.strip():
        return None
    try:
        value = parse_json(raw.encode("utf-8", "surrogatepass"), max_bytes=MAX_DRAWING_BYTES)
    except ContractError:
        raise DrawingError("drawing: not a drawing this page made") from None
    return clean_drawing(value)


def palette() -> dict[str, Any]:
    """What the drawing tools offer, for the player's script (`json_script`)."""
    return {
        "tools": list(TOOLS),
        "colours": COLOURS,
        "max_shapes": MAX_SHAPES,
        "max_points": MAX_POINTS,
        "text_max": TEXT_MAX,
    }
