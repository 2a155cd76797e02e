"""A share link serves exactly the files its pages link: the originals only when chosen."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from studio.generations.models import Generation, Output
from studio.review.models import ShareLink
from studio.review.share import token_for
from tests.conftest import Personas
from tests.factories import add_hdr_media, add_media, make_generation


def _share(client: Client, personas: Personas, *takes: Generation, **extra: str) -> str:
    client.force_login(personas.editor)
    response = client.post(reverse("review:shares"), {"g": [str(t.id) for t in takes], **extra})
    assert response.status_code == 302
    client.logout()
    return token_for(ShareLink.objects.latest("id"))


def _linked(html: str, token: str) -> set[int]:
    """The output ids a share page links."""
    prefix = re.escape(reverse("review:shared", args=[token])) + r"files/(\d+)/"
    return {int(i) for i in re.findall(prefix, html)}


def _served(client: Client, token: str, output: Output) -> int:
    response = client.get(reverse("review:shared_file", args=[token, output.pk]))
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def _hdr_take(personas: Personas) -> tuple[Generation, dict[str, Output]]:
    take = make_generation(personas.team, personas.editor, prompt="Harbour lights HDR")
    return take, add_hdr_media(take)


def test_an_hdr_share_serves_the_preview_and_poster_and_nothing_else(
    client: Client, personas: Personas
) -> None:
    take, outputs = _hdr_take(personas)
    token = _share(client, personas, take)
    html = client.get(reverse("review:shared_item", args=[token, take.id])).content.decode()
    assert _linked(html, token) == {outputs["preview"].pk, outputs["poster"].pk}
    assert "Downloads" not in html
    for kind in ("preview", "poster"):
        assert _served(client, token, outputs[kind]) == 200
    for kind in ("video", "exr", "thumbs"):
        assert _served(client, token, outputs[kind]) == 404, kind


def test_downloads_chosen_by_the_maker_add_the_master_and_the_exr(
    client: Client, personas: Personas
) -> None:
    take, outputs = _hdr_take(personas)
    token = _share(client, personas, take, downloads="on")
    assert ShareLink.objects.get().allow_downloads
    html = client.get(reverse("review:shared_item", args=[token, take.id])).content.decode()
    expected = {outputs[k].pk for k in ("preview", "poster", "video", "exr")}
    assert _linked(html, token) == expected
    assert "Downloads" in html and "EXR frames (zip)" in html
    for kind in ("preview", "poster", "video", "exr"):
        assert _served(client, token, outputs[kind]) == 200, kind
    # What the page does not link stays unserved, downloads or not.
    assert _served(client, token, outputs["thumbs"]) == 404


def test_an_hdr_clip_without_its_preview_shows_no_master_instead(
    client: Client, personas: Personas
) -> None:
    take, outputs = _hdr_take(personas)
    outputs["preview"].delete()
    token = _share(client, personas, take)
    html = client.get(reverse("review:shared_item", args=[token, take.id])).content.decode()
    assert _linked(html, token) == set()
    assert "<video src=" not in html
    assert _served(client, token, outputs["video"]) == 404
    # The poster stays what a selection's page shows of it.
    assert _served(client, token, outputs["poster"]) == 200


def test_a_selection_page_links_posters_only(client: Client, personas: Personas) -> None:
    hdr, hdr_outputs = _hdr_take(personas)
    sdr = make_generation(personas.team, personas.editor, prompt="Plain take")
    sdr_outputs = add_media(sdr, frames=4)
    token = _share(client, personas, hdr, sdr)
    html = client.get(reverse("review:shared", args=[token])).content.decode()
    assert _linked(html, token) == {hdr_outputs["poster"].pk, sdr_outputs["poster"].pk}
    # An SDR clip's page plays its original, which is then what the share serves.
    page = client.get(reverse("review:shared_item", args=[token, sdr.id])).content.decode()
    assert _linked(page, token) == {sdr_outputs["video"].pk, sdr_outputs["poster"].pk}
    assert _served(client, token, sdr_outputs["video"]) == 200
    assert _served(client, token, sdr_outputs["thumbs"]) == 404


def test_the_share_forms_offer_downloads_off_by_default(client: Client, personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.editor)
    for url in (reverse("review:gallery"), reverse("review:generation", args=[take.id])):
        box = re.search(
            r'<input type="checkbox" name="downloads"[^>]*>', client.get(url).content.decode()
        )
        assert box and "checked" not in box.group(0)
    client.post(reverse("review:shares"), {"g": [str(take.id)]})
    assert not ShareLink.objects.get().allow_downloads
    html = client.get(reverse("review:shares")).content.decode()
    assert "<th>Downloads</th>" in html
