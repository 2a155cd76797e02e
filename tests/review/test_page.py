"""The generation page: parameters, inputs, id, price, history, downloads, failures, actions."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from studio.generations.models import Asset, ProgressEvent
from tests.review.helpers import add_media, make_generation, write_png


def page(client, take) -> str:
    return client.get(reverse("generations:detail", args=[take.id])).content.decode()


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
