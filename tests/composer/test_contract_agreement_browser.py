"""The composer's JavaScript and the contract agree on rule outcomes and prices.

A sample of compositions (modes, resolutions, durations, HDR, EXR, loops, frames,
keyframes, edit and reframe sources of several lengths) is set in the real page; what
the page then says (the problems beside the button, whether it may be sent, the price)
is compared with the contract's own answer: ``broken_rules`` over ``facts_of``, and
``price_of`` with the source's length. Compositions the form alone cannot hold without
uploads (keyframes, edit keyframes, automatic controls with a strength) go through the
page's own modules with the contract's facts.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from studio.composer.body import TYPE_OF_MODE
from studio.contract import (
    ASPECT_RATIOS,
    DURATIONS,
    RESOLUTIONS,
    STRENGTHS,
    GenerationRequest,
    broken_rules,
    facts_of,
    price_of,
)
from studio.generations.models import Generation
from tests.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "a harbour at dawn"
# Lengths on both sides of every edit bucket's edge and of whole reframe seconds.
SOURCE_SECONDS = (0.4, 3.0, 5.0, 5.5, 7.5, 10.0, 10.04, 12.5, 17.9, 24.2, 29.5)


@dataclass(frozen=True)
class Composition:
    mode: str
    resolution: str
    duration: str = DURATIONS[0]
    aspect_ratio: str | None = None
    hdr: bool = False
    exr_export: bool = False
    loop: bool = False
    start_image: bool = False  # a start frame (video) or a guide frame (edit)
    end_image: bool = False
    direction: str = "forward"  # extend
    seconds: float | None = None  # the source's length: extend, edit, reframe
    controls: str = "auto"  # edit: "auto", "preset" (a strength) or "both"
    keyframes: bool = False
    edit_keyframes: bool = False

    def body(self) -> dict[str, Any]:
        """The request this composition sends, as the composer builds it."""
        image = {"file_id": str(uuid.uuid4())}
        clip = {"generation_id": str(uuid.uuid4())}
        video: dict[str, Any] = {"resolution": self.resolution}
        body: dict[str, Any] = {"type": TYPE_OF_MODE[self.mode], "prompt": PROMPT, "video": video}
        if self.aspect_ratio and self.mode != "edit":
            body["aspect_ratio"] = self.aspect_ratio
        if self.mode in ("video", "extend"):
            video["duration"] = self.duration
        for flag in ("loop", "hdr", "exr_export"):
            if getattr(self, flag):
                video[flag] = True
        if self.mode == "video":
            if self.start_image:
                video["start_frame"] = image
            if self.end_image:
                video["end_frame"] = image
            if self.keyframes:
                video["keyframes"] = [image]
                video["keyframe_indexes"] = [0]
        elif self.mode == "extend":
            video["end_frame" if self.direction == "backward" else "start_frame"] = clip
        elif self.mode == "edit":
            body["source"] = clip
            edit: dict[str, Any] = {}
            if self.controls in ("auto", "both"):
                edit["auto_controls"] = True
            if self.controls in ("preset", "both"):
                edit["strength"] = STRENGTHS[0]
            if self.edit_keyframes:
                edit["keyframes"] = [image]
                edit["keyframe_indexes"] = [0]
            video["edit"] = edit
            if self.start_image:
                video["start_frame"] = image
        else:
            body["source"] = clip
        return body

    def contract(self) -> tuple[list[str], str]:
        """The contract's answer: what it refuses (each message once), and the price."""
        request = GenerationRequest.model_validate(self.body())
        messages = list(dict.fromkeys(r.message for r in broken_rules(facts_of(request))))
        return messages, str(price_of(request, source_seconds=self.seconds))


def sample() -> list[Composition]:
    """A fixed sample: every mode, resolution and duration, both edges of the buckets,
    combinations that break rules and combinations that don't."""
    rng = random.Random(13)
    chosen = [
        Composition("video", "720p"),
        Composition("video", "1080p", "10s", hdr=True, exr_export=True),
        Composition("video", "360p", hdr=True),
        Composition("video", "540p", exr_export=True),
        Composition("video", "720p", "10s", loop=True, start_image=True),
        Composition("video", "1080p", hdr=True, end_image=True, aspect_ratio="21:9"),
        Composition("video", "720p", loop=True, end_image=True),
        Composition("extend", "360p", seconds=5.0),
        Composition("extend", "1080p", "10s", hdr=True, direction="backward", seconds=5.0),
        Composition("extend", "720p", loop=True, direction="backward", seconds=10.0),
        Composition("reframe", "1080p", aspect_ratio="9:16", seconds=12.5),
        Composition("reframe", "720p", seconds=5.0),
        Composition("reframe", "540p", aspect_ratio="1:1", hdr=True, seconds=3.0),
    ]
    for seconds in SOURCE_SECONDS:
        if seconds <= 18:
            chosen.append(
                Composition(
                    "edit",
                    rng.choice(RESOLUTIONS),
                    hdr=rng.random() < 0.5,
                    exr_export=rng.random() < 0.3,
                    controls=rng.choice(("auto", "preset")),
                    start_image=rng.random() < 0.3,
                    seconds=seconds,
                )
            )
        chosen.append(
            Composition(
                "reframe",
                rng.choice(RESOLUTIONS),
                aspect_ratio=rng.choice(ASPECT_RATIOS),
                seconds=seconds,
            )
        )
    return chosen


# Keyframes need images on a timeline: the page's own modules judge these.
THROUGH_MODULES = [
    Composition("video", "720p", "10s", keyframes=True),
    Composition("video", "1080p", hdr=True, exr_export=True, keyframes=True),
    Composition("video", "720p", keyframes=True, start_image=True, loop=True),
    Composition("video", "540p", "10s", keyframes=True, end_image=True),
    Composition("edit", "1080p", edit_keyframes=True, seconds=7.5),
    Composition("edit", "720p", edit_keyframes=True, start_image=True, seconds=12.5),
    Composition("edit", "1080p", hdr=True, controls="both", seconds=5.5),
    Composition("edit", "360p", hdr=True, exr_export=True, seconds=17.9),
]

SET_IN_PAGE = """(c) => {
  const form = document.getElementById("composer");
  const pick = (name, value) => { form.querySelector(`input[name="${name}"][value="${value}"]`).checked = true; };
  pick("mode", c.mode);
  pick("resolution", c.resolution);
  pick("duration", c.duration);
  pick("direction", c.direction);
  pick("controls_mode", c.controls);
  form.elements.strength.value = c.strength;
  form.elements.aspect_ratio.value = c.aspect_ratio || "";
  for (const flag of ["hdr", "exr_export", "loop"]) form.elements[flag].checked = c[flag];
  form.elements.start_frame.value = c.mode === "video" && c.start_image ? "1" : "";
  form.elements.guide_frame.value = c.mode === "edit" && c.start_image ? "1" : "";
  form.elements.end_frame.value = c.end_image ? "1" : "";
  // Set without its own change event: choosing a source moves refused choices on.
  form.elements.source.value = c.source;
  form.elements.prompt.value = c.prompt;
  form.elements.prompt.dispatchEvent(new Event("input", { bubbles: true }));
  return {
    problems: [...document.querySelectorAll("#problems li")].map((li) => li.textContent),
    blocked: document.getElementById("submit").disabled,
    price: document.getElementById("price").textContent,
  };
}"""

THROUGH_PAGE_MODULES = """async ([facts, seconds]) => {
  const base = document.querySelector('script[src*="composer/compose.js"]').src;
  const rules = await import(new URL("rules.js", base));
  const price = await import(new URL("price.js", base));
  return { problems: rules.messages(facts), price: price.batchPrice([facts], seconds).shown };
}"""


@pytest.fixture
def sources(personas: Personas) -> dict[float, str]:
    """A completed clip of each length, as the composer's source picker names it."""
    keys = {}
    for seconds in SOURCE_SECONDS:
        clip = Generation.objects.create(
            team=personas.team,
            author=personas.editor,
            prompt=f"clip of {seconds} s",
            state=Generation.State.COMPLETED,
            remote_id=uuid.uuid4(),
            duration_s=seconds,
        )
        keys[seconds] = f"g:{clip.id}"
    return keys


def test_the_page_and_the_contract_agree_on_rules_and_prices(
    sources: dict[float, str], page: Any
) -> None:
    page.reload()
    compositions = sample()
    assert len(compositions) + len(THROUGH_MODULES) >= 30
    disagreements = []
    for c in compositions:
        shown = page.evaluate(
            SET_IN_PAGE,
            {
                **asdict(c),
                "strength": STRENGTHS[0] if c.controls == "preset" else "",
                "source": sources[c.seconds] if c.seconds is not None else "",
                "prompt": PROMPT,
            },
        )
        messages, price = c.contract()
        page_says = (shown["problems"], shown["blocked"], shown["price"])
        if page_says != (messages, bool(messages), price):
            disagreements.append((c, page_says, (messages, bool(messages), price)))
    for c in THROUGH_MODULES:
        facts = facts_of(GenerationRequest.model_validate(c.body()))
        shown = page.evaluate(THROUGH_PAGE_MODULES, [facts, c.seconds])
        messages, price = c.contract()
        if (shown["problems"], shown["price"]) != (messages, price):
            disagreements.append((c, shown, (messages, price)))
    assert not disagreements, "\n".join(map(repr, disagreements))
    # The sample is worth something only if it holds both verdicts and several prices.
    verdicts = [bool(c.contract()[0]) for c in compositions]
    assert any(verdicts) and not all(verdicts)
    assert len({c.contract()[1] for c in compositions}) > 10
