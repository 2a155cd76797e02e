"""Download zip from the gallery: tick takes, press the button, get one archive."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import add_media, make_generation

pytestmark = pytest.mark.browser


def test_ticked_takes_download_as_one_zip(page, live_server, personas, tmp_path) -> None:
    takes = [make_generation(personas.team, personas.editor, prompt=f"Take {n}") for n in range(3)]
    for take in takes:
        add_media(take, frames=12)
    sign_in(page, live_server.url, personas.viewer)
    page.goto(live_server.url + reverse("review:gallery"))
    button = page.get_by_role("button", name="Download zip")
    assert button.is_disabled()
    for take in takes[:2]:
        page.check(f"input[name=g][form=selection][value='{take.id}']")
    assert button.is_enabled()
    with page.expect_download() as info:
        button.click()
    path = tmp_path / "export.zip"
    info.value.save_as(path)
    archive = zipfile.ZipFile(path)
    records = [json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")]
    ids = {r["id"] for r in records if "id" in r}
    assert ids == {str(takes[0].id), str(takes[1].id)}
    assert sum(n.endswith("/video.mp4") for n in archive.namelist()) == 2
