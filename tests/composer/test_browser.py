"""The composer in a real browser (Debian's Chromium) against the live server and engine."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from studio.contract.rules import RULES_BY_NAME
from studio.engine.models import EngineGeneration
from studio.generations.models import Generation, Output
from studio.teams.models import Membership
from tests.composer.conftest import run_sender
from tests.conftest import Personas
from tests.factories import make_generation, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def msg(name: str) -> str:
    return RULES_BY_NAME[name].message


def images(tmp_path: Path, n: int) -> list[str]:
    paths = []
    for i in range(n):
        path = tmp_path / f"img{i:02d}.png"
        path.write_bytes(png(32, 18, (i * 3 % 256, i * 7 % 256, 200)))
        paths.append(str(path))
    return paths


def radio(page: Any, name: str, value: str) -> Any:
    return page.locator(f'input[name="{name}"][value="{value}"]')


def reason_of(page: Any, locator: Any) -> str:
    described = locator.get_attribute("aria-describedby")
    return page.locator(f"#{described}").text_content() if described else ""


def keys(page: Any) -> list[int]:
    return [k["frame"] for k in json.loads(page.input_value("#id_keyframes"))]


def test_start_frame_disables_10s(page: Any, tmp_path: Path) -> None:
    page.set_input_files("#id_start_file", images(tmp_path, 1))
    ten = radio(page, "duration", "10s")
    page.wait_for_function(
        "() => document.querySelector('input[name=duration][value=\"10s\"]').disabled"
    )
    assert msg("ten_s_with_start_frame") in reason_of(page, ten)
    assert msg("ten_s_with_start_frame") in page.locator("label", has=ten).get_attribute("title")
    assert radio(page, "duration", "5s").is_enabled()


def test_hdr_disables_low_resolutions_and_loop_and_enables_exr(page: Any) -> None:
    exr = page.locator("#id_exr_export")
    assert exr.is_disabled() and msg("exr_without_hdr") in reason_of(page, exr)
    page.check("#id_hdr")
    assert radio(page, "resolution", "360p").is_disabled()
    assert radio(page, "resolution", "540p").is_disabled()
    assert msg("hdr_low_resolution") in reason_of(page, radio(page, "resolution", "540p"))
    assert page.locator("#id_loop").is_disabled()
    assert msg("loop_with_hdr") in reason_of(page, page.locator("#id_loop"))
    assert exr.is_enabled()
    page.check("#id_exr_export")
    assert page.locator("#price").inner_text() == "$0.90"
    page.uncheck("#id_hdr")
    assert exr.is_checked()  # still checked, now flagged
    assert page.locator("#submit").is_disabled()
    assert msg("exr_without_hdr") in page.locator("#problems").inner_text()


def test_keyframes_disable_start_end_and_loop(page: Any, tmp_path: Path) -> None:
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 1))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 1")
    assert page.locator("#id_start_file").is_disabled()
    assert page.locator("#id_end_file").is_disabled()
    assert msg("keyframes_with_start_frame") in page.locator("#reason-start_frame").inner_text()
    assert page.locator("#id_loop").is_disabled()
    assert radio(page, "duration", "10s").is_enabled()


def test_reframe_1080p_and_portrait_exclude_each_other(clip: Generation, page: Any) -> None:
    page.check('input[name="mode"][value="reframe"]', force=True)
    page.select_option("#id_source", f"g:{clip.id}")
    page.select_option("#id_aspect_ratio", "9:16")
    empty = page.locator('#id_aspect_ratio option[value=""]')
    assert empty.is_disabled()
    assert empty.get_attribute("title") == msg("reframe_aspect_required")
    assert radio(page, "resolution", "1080p").is_disabled()
    assert msg("reframe_1080p_portrait") in reason_of(page, radio(page, "resolution", "1080p"))
    page.select_option("#id_aspect_ratio", "16:9")
    page.check('input[name="resolution"][value="1080p"]', force=True)
    assert page.locator('#id_aspect_ratio option[value="9:16"]').is_disabled()
    assert page.locator('#id_aspect_ratio option[value="3:4"]').is_disabled()
    assert page.locator('#id_aspect_ratio option[value="1:1"]').is_enabled()
    assert "9:16" in reason_of(page, page.locator("#id_aspect_ratio"))


def test_timeline_drop_drag_snap_keys_and_duplicates(page: Any, tmp_path: Path) -> None:
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 3))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 3")
    assert keys(page) == [0, 60, 120]

    # Drag the middle one: it lands on a whole frame under the pointer.
    inner = page.locator(".tl-inner").first.bounding_box()
    marker = page.locator('.tl-key[data-frame="60"]')
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    x30 = inner["x"] + inner["width"] * (30.4 / 120)
    page.mouse.move(x30, box["y"] + 10, steps=8)
    assert page.locator(".tl-tip").first.inner_text() == "frame 30 · 1.25 s"
    page.mouse.up()
    assert keys(page) == [0, 30, 120]

    # Keyboard: one frame, then one second.
    page.locator('.tl-key[data-frame="30"]').focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert keys(page) == [0, 55, 120]
    assert page.input_value(".tl-frame-input >> nth=0") == "55"

    # Typed onto another keyframe's frame: refused, with a message.
    page.fill(".tl-frame-input >> nth=0", "120")
    page.keyboard.press("Enter")
    assert keys(page) == [0, 55, 120]
    assert "Frame 120 already holds a keyframe" in page.locator(".tl-msg").first.inner_text()

    # Delete key removes the selected keyframe.
    page.locator('.tl-key[data-frame="55"]').focus()
    page.keyboard.press("Delete")
    assert keys(page) == [0, 120]

    # Dropped onto the ruler: placed at the drop position.
    drop_x = inner["x"] + inner["width"] * (90 / 120)
    data = base64.b64encode(png(20, 20, (1, 2, 3))).decode()
    page.evaluate(
        """([x, y, data]) => {
            const dt = new DataTransfer();
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            dt.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
            const track = document.querySelector(".tl-track");
            track.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, clientX: x, clientY: y, bubbles: true}));
        }""",
        [drop_x, inner["y"] + 60, data],
    )
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 3")
    assert keys(page) == [0, 90, 120]


def test_timeline_stops_at_64(page: Any, tmp_path: Path) -> None:
    radio(page, "duration", "10s").check(force=True)
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 66))
    page.wait_for_function(
        "() => document.querySelector('.tl-msg').textContent.includes('At most 64')", timeout=30000
    )
    assert len(keys(page)) == 64, page.locator(".tl-msg").first.inner_text()
    assert len(set(keys(page))) == 64
    assert "2 images were not added" in page.locator(".tl-msg").first.inner_text()


def test_ten_to_five_seconds_rescales_or_removes(page: Any, tmp_path: Path) -> None:
    radio(page, "duration", "10s").check(force=True)
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 4))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 4")
    assert keys(page) == [0, 80, 160, 240]
    radio(page, "duration", "5s").click(force=True)
    assert page.locator("#shorten-dialog").is_visible()
    assert "2 keyframes lie past frame 120" in page.locator("#shorten-text").inner_text()
    page.click('[data-shorten="cancel"]')
    assert radio(page, "duration", "10s").is_checked() and keys(page) == [0, 80, 160, 240]
    radio(page, "duration", "5s").click(force=True)
    page.click('[data-shorten="rescale"]')
    assert keys(page) == [0, 40, 80, 120]
    assert radio(page, "duration", "5s").is_checked()

    radio(page, "duration", "10s").check(force=True)
    page.locator('.tl-key[data-frame="120"]').focus()
    page.keyboard.press("Shift+ArrowRight")
    radio(page, "duration", "5s").click(force=True)
    page.click('[data-shorten="remove"]')
    assert keys(page) == [0, 40, 80]


def test_reframe_rectangle_writes_source_position(clip: Generation, page: Any) -> None:
    page.check('input[name="mode"][value="reframe"]', force=True)
    page.select_option("#id_source", f"g:{clip.id}")
    page.select_option("#id_aspect_ratio", "1:1")
    assert page.input_value("#id_pos_x") == ""  # centred fit: nothing sent
    page.locator("#reframe-canvas").scroll_into_view_if_needed()
    canvas = page.locator("#reframe-canvas").bounding_box()
    cx, cy = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + canvas["width"] * 0.1, cy, steps=5)
    page.mouse.up()
    x = float(page.input_value("#id_pos_x"))
    assert x > 0.05
    assert float(page.input_value("#id_pos_y")) == pytest.approx(0.21875, abs=0.002)
    assert float(page.input_value("#id_pos_w")) == pytest.approx(1.0, abs=0.002)
    assert float(page.input_value("#id_pos_h")) == pytest.approx(0.5625, abs=0.002)
    page.click("[data-reframe-reset]")
    assert page.input_value("#id_pos_x") == ""


def test_text_to_video_end_to_end(page: Any, live_server: Any, personas: Personas) -> None:
    page.fill("#id_prompt", "fireflies over a pond at night")
    page.select_option("#id_aspect_ratio", "9:16")
    radio(page, "resolution", "1080p").check(force=True)
    page.click("#submit")
    page.wait_for_url("**/g/**")
    run_sender()
    membership = Membership.objects.get(user=personas.editor, team=personas.team)
    assert EngineGeneration.objects.get().request == {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "fireflies over a pond at night",
        "aspect_ratio": "9:16",
        "video": {"resolution": "1080p", "duration": "5s"},
        "user_id": str(membership.api_user_id),
    }
    generation = Generation.objects.get()
    assert page.url.endswith(f"/g/{generation.id}/")


def test_keyframe_generation_end_to_end(page: Any, tmp_path: Path, engine: str) -> None:
    page.fill("#id_prompt", "a seed becomes a tree")
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 3))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 3")
    page.click("#submit")
    page.wait_for_url("**/g/**")
    run_sender()
    sent = EngineGeneration.objects.get().request
    generation = Generation.objects.get()
    assets = [k["asset"] for k in generation.composition["keyframes"]]
    from studio.generations.models import RemoteFile

    file_ids = [RemoteFile.objects.get(asset_id=a, api_base_url=engine).file_id for a in assets]
    assert sent["video"] == {
        "resolution": "720p",
        "duration": "5s",
        "keyframes": [{"file_id": f} for f in file_ids],
        "keyframe_indexes": [0, 60, 120],
    }


def test_double_click_makes_one_generation(page: Any) -> None:
    page.fill("#id_prompt", "rain on a tin roof")
    page.dblclick("#submit")
    page.wait_for_url("**/g/**")
    run_sender()
    assert Generation.objects.count() == 1
    assert EngineGeneration.objects.count() == 1
    page.go_back()
    page.reload()  # a resubmit of the same form, if the browser sends it again
    assert Generation.objects.count() == 1


@pytest.fixture
def clip(personas: Personas) -> Generation:
    generation = make_generation(
        personas.team, personas.editor, prompt="harbour at dawn", duration_s=5.0
    )
    Output.objects.create(
        generation=generation,
        kind="video",
        file="outputs/x.mp4",
        width=1280,
        height=720,
        fps=24,
        frames=121,
    )
    return generation


def test_disabled_options_say_why_in_plain_sight(page: Any) -> None:
    page.check("#id_hdr")
    resolution = page.locator("fieldset", has=radio(page, "resolution", "360p")).locator(".why")
    text = resolution.inner_text()
    assert "360p draft, 540p:" in text and msg("hdr_low_resolution") in text
    page.uncheck("#id_hdr")
    assert resolution.inner_text() == ""


def test_removing_a_start_frame_clears_a_refused_files_message(page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"not an image at all")
    page.set_input_files("#id_start_file", images(tmp_path, 1))
    page.wait_for_selector('[data-slot="start_frame"].filled')
    page.set_input_files("#id_start_file", str(bad))
    error = page.locator('[data-slot="start_frame"] .field-error:not([hidden])')
    error.wait_for()
    assert "notes.png" in error.inner_text()
    assert page.input_value("#id_start_frame") != ""  # the earlier image stays
    page.click('[data-slot="start_frame"] [data-slot-clear]')
    assert error.count() == 0


def test_portrait_start_frame_is_shown_whole(page: Any, tmp_path: Path) -> None:
    tall = tmp_path / "tall.png"
    tall.write_bytes(png(36, 64))
    page.set_input_files("#id_start_file", str(tall))
    img = page.locator('[data-slot="start_frame"] .slot-preview img')
    img.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-slot=start_frame] .slot-preview img').complete"
    )
    box = img.bounding_box()
    frame = page.locator('[data-slot="start_frame"] .slot-preview').bounding_box()
    assert box["height"] <= frame["height"] + 0.5


def test_frame_field_follows_the_selected_keyframe_after_rescale(page: Any, tmp_path: Path) -> None:
    radio(page, "duration", "10s").check(force=True)
    page.set_input_files("#id_keyframes-pick", images(tmp_path, 3))
    page.wait_for_function("() => document.querySelectorAll('.tl-key').length === 3")
    page.locator('.tl-key[data-frame="240"]').click()
    assert page.input_value("#id_keyframes-frame") == "240"
    radio(page, "duration", "5s").click(force=True)
    page.click('[data-shorten="rescale"]')
    assert page.input_value("#id_keyframes-frame") == "120"
    message = page.locator(".tl-msg").first
    assert "rescaled" in message.inner_text() and "warn" not in (
        message.get_attribute("class") or ""
    )


def test_portrait_reframe_canvas_fits_the_window(clip: Generation, page: Any) -> None:
    page.check('input[name="mode"][value="reframe"]', force=True)
    page.select_option("#id_source", f"g:{clip.id}")
    page.select_option("#id_aspect_ratio", "9:16")
    box = page.locator("#reframe-canvas").bounding_box()
    assert box["height"] <= 1000 * 0.62 + 2
    assert box["width"] < box["height"]
