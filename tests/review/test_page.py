"""The generation page: parameters, inputs, id, price, history, downloads, failures, actions."""

from __future__ import annotations

import re
from decimal import Decimal

from django.urls import reverse

from studio.composer.body import asset_ref, build_body
from studio.composer.forms import COMPOSITION_FIELDS
from studio.generations.models import Asset, Generation, ProgressEvent
from studio.review.page import ACTIVE_STATES, input_assets
from tests.factories import add_media, make_asset, make_generation, png, write_mp4, write_png


def page(client, take) -> str:
    return client.get(reverse("review:generation", args=[take.id])).content.decode()


def test_everything_about_a_take(client, personas, settings) -> None:
    write_png(settings.MEDIA_ROOT / "assets/2026/11/start.png")
    asset = Asset.objects.create(
        team=personas.team,
        sha256="a" * 64,
        kind="image",
        file="assets/2026/11/start.png",
        media_type="image/png",
        size_bytes=100,
        width=160,
        height=90,
        original_name="start.png",
    )
    take = make_generation(
        personas.team,
        personas.editor,
        prompt="Harbour lights",
        price=Decimal("0.90"),
        price_estimated=True,
        hdr=True,
        exr_export=True,
        request={
            "model": "ray-3.2",
            "type": "video",
            "prompt": "Harbour lights",
            "video": {
                "resolution": "720p",
                "hdr": True,
                "exr_export": True,
                "start_frame": {"data": "A" * 400, "media_type": "image/png"},
                "keyframe_indexes": [0, 60],
            },
        },
        composition={"start_frame": {"asset": asset.pk}},
    )
    outputs = add_media(take, frames=24)
    preview = take.outputs.create(
        kind="preview", file=outputs["video"].file.name, frames=24, fps=24
    )
    take.outputs.filter(kind="video").update(hdr=True)
    take.outputs.create(kind="exr", file=f"outputs/test/{take.id}/frames.zip", size_bytes=2048)
    ProgressEvent.objects.create(generation=take, kind="submitted", state="queued")
    ProgressEvent.objects.create(generation=take, kind="state", state="processing", detail="42%")
    client.force_login(personas.viewer)
    html = page(client, take)
    assert f'data-copy="{take.remote_id}"' in html
    assert "$0.90" in html and ">estimate<" in html
    for row in ("video.resolution", "video.hdr", "video.exr_export", "video.keyframe_indexes"):
        assert f"<td>{row}</td>" in html
    assert "<td>0, 60</td>" in html
    assert "inline image/png, ~300 bytes" in html and "A" * 400 not in html
    assert 'alt="Input image start.png"' in html
    assert "submitted → queued" in html and "42%" in html
    # HDR: the player gets the browser preview; downloads offer the original, EXR and poster.
    assert f'data-frames="{preview.frames}"' in html
    for label in ("Original MP4", "EXR zip", "Poster"):
        assert label in html
    # A viewer cannot compose: no action links.
    assert "?action=extend_forward" not in html


def test_compose_actions_for_roles_that_compose(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=4)
    client.force_login(personas.editor)
    html = page(client, take)
    for action in ("extend_forward", "extend_backward", "edit", "reframe", "remix", "promote"):
        assert f"/compose/?action={action}&amp;source={take.id}" in html
    for where in ("start", "end", "keyframe"):
        assert f"/compose/?frame_from={take.id}&amp;frame=0&amp;as={where}" in html
    client.force_login(personas.reviewer)
    assert "/compose/?" not in page(client, take)


def test_a_failure_says_why_and_offers_the_fitting_action(client, personas) -> None:
    retryable = make_generation(
        personas.team,
        personas.editor,
        state="failed",
        failure_code="generation_failed",
        failure_reason="The render crashed.",
    )
    moderated = make_generation(
        personas.team,
        personas.editor,
        state="failed",
        failure_code="content_moderated",
        failure_reason="The prompt was moderated.",
    )
    client.force_login(personas.editor)
    html = page(client, retryable)
    assert "The render crashed." in html
    assert reverse("composer:retry", args=[retryable.id]) in html
    html = page(client, moderated)
    assert "Edit the prompt and try again" in html
    assert reverse("composer:retry", args=[moderated.id]) not in html


def test_an_uncertain_submission_shows_resend_and_drop(client, personas) -> None:
    take = make_generation(personas.team, personas.editor, state="uncertain")
    client.force_login(personas.editor)
    html = page(client, take)
    assert reverse("composer:resend", args=[take.id]) in html
    assert reverse("composer:drop", args=[take.id]) in html


# --- Inputs: every asset the composition names, once, with its role -------------------


def composed(personas, *, body: bool = True, **fields) -> Generation:
    """A generation recorded as the composer records one: its fields plus ``_body``."""
    c = dict.fromkeys(COMPOSITION_FIELDS) | {"prompt": "Harbour lights"} | fields
    source = c.get("source") or ""
    ref = asset_ref(int(source.removeprefix("a:"))) if source.startswith("a:") else None
    request = build_body(c, ref, "member-1")
    return make_generation(
        personas.team,
        personas.editor,
        kind=request["type"],
        request=request,
        composition={**c, "_body": request} if body else c,
    )


def image(personas, n: int) -> Asset:
    return make_asset(
        personas.team, personas.editor, png(colour=(n * 40 % 256, 90, 200)), name=f"in-{n}.png"
    )


def clip(personas, tmp_path) -> Asset:
    data = write_mp4(tmp_path / "source.mp4", frames=24, width=64, height=36).read_bytes()
    return make_asset(personas.team, personas.editor, data, name="source.mp4", want="video")


def captions(html: str) -> list[str]:
    return re.findall(r'<strong data-role="input-role">([^<]*)</strong>', html)


def roles(generation: Generation) -> list[tuple[Asset, str]]:
    return [(i.asset, i.label) for i in input_assets(generation)]


def test_every_input_image_is_shown_once_with_its_role(client, personas) -> None:
    start, end, key, both = (image(personas, n) for n in range(1, 5))
    take = composed(
        personas,
        mode="video",
        start_frame=start.pk,
        end_frame=end.pk,
        # The same image as two keyframes: one figure, both roles.
        keyframes=[
            {"asset": both.pk, "frame": 100},
            {"asset": key.pk, "frame": 60},
            {"asset": both.pk, "frame": 30},
        ],
    )
    client.force_login(personas.viewer)
    html = page(client, take)
    assert captions(html) == [
        "Start frame",
        "Keyframe @ 30, Keyframe @ 100",
        "Keyframe @ 60",
        "End frame",
    ]
    for asset in (start, end, key, both):
        assert html.count(f'alt="Input image {asset.original_name}"') == 1


def test_an_edit_shows_its_source_video_guide_frame_and_keyframes(
    client, personas, tmp_path
) -> None:
    source, guide, key = clip(personas, tmp_path), image(personas, 1), image(personas, 2)
    take = composed(
        personas,
        mode="edit",
        source=f"a:{source.pk}",
        guide_frame=guide.pk,
        edit_keyframes=[{"asset": key.pk, "frame": 12}],
    )
    client.force_login(personas.viewer)
    html = page(client, take)
    assert captions(html) == ["Source video", "Guide frame", "Edit keyframe @ 12"]
    assert f'aria-label="Input video {source.original_name}"' in html


def test_an_uploaded_clip_extended_or_reframed_is_the_source_video(personas, tmp_path) -> None:
    source, end = clip(personas, tmp_path), image(personas, 1)
    backward = composed(personas, mode="extend", direction="backward", source=f"a:{source.pk}")
    forward = composed(
        personas, mode="extend", direction="forward", source=f"a:{source.pk}", end_frame=end.pk
    )
    reframe = composed(personas, mode="reframe", source=f"a:{source.pk}", aspect_ratio="9:16")
    assert roles(backward) == [(source, "Source video")]
    assert roles(forward) == [(source, "Source video"), (end, "End frame")]
    assert roles(reframe) == [(source, "Source video")]


def test_a_row_without_a_body_is_read_from_its_composition(personas, tmp_path) -> None:
    start, key, guide = image(personas, 1), image(personas, 2), image(personas, 3)
    source = clip(personas, tmp_path)
    take = composed(
        personas,
        body=False,
        mode="video",
        start_frame=start.pk,
        keyframes=[{"asset": key.pk, "frame": 60}],
    )
    edit = composed(
        personas, body=False, mode="edit", source=f"a:{source.pk}", guide_frame=guide.pk
    )
    assert roles(take) == [(start, "Start frame"), (key, "Keyframe @ 60")]
    assert roles(edit) == [(source, "Source video"), (guide, "Guide frame")]


def test_another_teams_asset_is_never_shown(personas) -> None:
    theirs = make_asset(personas.other_team, personas.outsider, name="x.png")
    mine = image(personas, 1)
    take = composed(personas, mode="video", start_frame=theirs.pk, end_frame=mine.pk)
    assert roles(take) == [(mine, "End frame")]


# --- Live state: what progress.js needs on the page ---------------------------------------


def test_a_page_in_flight_follows_the_state_and_reloads_when_it_ends(client, personas) -> None:
    take = make_generation(personas.team, personas.editor, state="queued")
    client.force_login(personas.viewer)
    html = page(client, take)
    # The header badge follows the same status JSON as the progress partial.
    assert f'data-state-for="{take.id}">Queued</span>' in html
    assert f'data-active-states="{" ".join(ACTIVE_STATES)}"' in html
    assert "data-reload-on-end" in html
    assert 'data-role="reason" aria-live="polite"' in html
    assert "generations/progress.js" in html


def test_a_finished_page_has_no_progress_to_poll(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=4)
    client.force_login(personas.viewer)
    html = page(client, take)
    assert "data-progress-url" not in html and "data-reload-on-end" not in html
