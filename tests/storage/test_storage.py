"""Outputs kept, served and purged through the studio's storage, on disk and in a bucket.

A generation is rendered by the local engine, polled over real HTTP (pytest-django's
live server), and its outputs are kept by the poller; with a bucket nothing of the media
may stay under MEDIA_ROOT or in a scratch folder.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from django.conf import settings
from django.urls import reverse

from studio import mediastore
from studio.client import Client
from studio.composer import prefill
from studio.engine.models import EngineFile
from studio.engine.testing import run_pending_renders
from studio.generations import trash
from studio.generations.models import Generation, Output
from studio.generations.poller import PollerConfig, poll_once
from studio.generations.sender.inputs import remote_file_ids
from tests.conftest import Personas
from tests.factories import make_asset, picture, png_of
from tests.poller.test_engine_http import submit
from tests.storage.conftest import ENGINE_PREFIX, Bucket

pytestmark = pytest.mark.django_db(transaction=True)


def scratch_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{mediastore.SCRATCH_PREFIX}*")}


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def completed(engine: Client, personas: Personas) -> Generation:
    generation = submit(engine, personas)
    assert run_pending_renders() == 1
    report = poll_once(PollerConfig.from_settings(owner="storage-poller"))
    assert report.downloaded == 1
    generation.refresh_from_db()
    assert generation.outputs_ready
    return generation


def test_outputs_are_kept_in_the_store(
    backend: Bucket | None, engine: Client, personas: Personas
) -> None:
    before = scratch_folders()
    generation = completed(engine, personas)
    kept = {o.kind: o for o in generation.outputs.all()}
    assert set(kept) == {"video", "poster", "thumbs"}
    fresh = engine.get_generation(str(generation.remote_id))["output"][0]["url"]
    original = httpx.get(fresh, follow_redirects=True, timeout=30).content
    assert kept["video"].sha256 == hashlib.sha256(original).hexdigest()
    if backend is None:
        stored = {o.file.name: (Path(settings.MEDIA_ROOT) / o.file.name) for o in kept.values()}
        assert all(path.is_file() for path in stored.values())
        assert (Path(settings.MEDIA_ROOT) / kept["video"].file.name).read_bytes() == original
        return
    names = {o.file.name for o in kept.values()}
    assert backend.objects() == names
    for output in kept.values():
        data = backend.read(output.file.name)
        assert hashlib.sha256(data).hexdigest() == output.sha256
        assert len(data) == output.size_bytes
    # Nothing of the media stays on this machine: not under MEDIA_ROOT, not in scratch.
    assert media_files() == []
    assert scratch_folders() - before == set()


def test_the_video_link_serves_ranges_to_members_only(
    backend: Bucket | None, engine: Client, personas: Personas, client: Any
) -> None:
    generation = completed(engine, personas)
    video = generation.outputs.get(kind=Output.Kind.VIDEO)
    url = reverse("generations:media", args=[video.file.name])
    page = reverse("review:generation", args=[generation.id])

    client.force_login(personas.viewer)
    assert url in client.get(page).content.decode()
    answer = client.get(url, headers={"Range": "bytes=0-99"})
    if backend is None:
        assert answer.status_code == 206
        assert (
            b"".join(answer.streaming_content)
            == (Path(settings.MEDIA_ROOT) / video.file.name).read_bytes()[:100]
        )
    else:
        # A short-lived presigned link: the store answers the byte range, not a web worker.
        assert answer.status_code == 302
        link = answer["Location"]
        assert link.startswith(settings.AWS_S3_ENDPOINT_URL) and "Signature" in link
        ranged = httpx.get(link, headers={"Range": "bytes=0-99"}, timeout=30)
        assert ranged.status_code == 206
        assert ranged.headers["Content-Range"] == f"bytes 0-99/{video.size_bytes}"
        assert ranged.content == backend.read(video.file.name)[:100]

    client.force_login(personas.outsider)
    refused = client.get(url)
    assert refused.status_code == 404 and "Location" not in refused


def test_purge_deletes_from_the_store(
    backend: Bucket | None, engine: Client, personas: Personas
) -> None:
    generation = completed(engine, personas)
    names = set(generation.outputs.values_list("file", flat=True))
    if backend is not None:
        assert backend.objects() == names
    trash.trash(generation, personas.editor)
    assert trash.purge(generation.id)
    if backend is None:
        assert not any((Path(settings.MEDIA_ROOT) / name).exists() for name in names)
    else:
        assert backend.objects() == set()


def test_a_frame_taken_from_a_stored_clip_is_kept_in_the_store(
    backend: Bucket | None, engine: Client, personas: Personas
) -> None:
    generation = completed(engine, personas)
    before = scratch_folders()
    membership = personas.team.memberships.get(user=personas.editor)
    asset = prefill.frame_asset(generation, 12, membership)
    assert asset.kind == "image" and asset.width == 640
    if backend is None:
        assert (Path(settings.MEDIA_ROOT) / asset.file.name).is_file()
    else:
        data = backend.read(asset.file.name)
        assert hashlib.sha256(data).hexdigest() == asset.sha256
        assert media_files() == [] and scratch_folders() - before == set()


def test_an_upload_is_sent_to_the_api_from_the_store(
    backend: Bucket | None, engine: Client, personas: Personas
) -> None:
    png = png_of(picture(2))
    asset = make_asset(personas.team, personas.editor, png, name="k.png")
    if backend is not None:
        assert backend.read(asset.file.name) == png and media_files() == []
    found = remote_file_ids(engine, [asset], "")
    file = engine.get_file(found[asset.id])
    assert file["state"] == "ready"
    # The local engine keeps what it received in its own store: the same bytes.
    kept = EngineFile.objects.get(id=found[asset.id])
    if backend is None:
        assert (Path(settings.ENGINE_MEDIA_ROOT) / kept.path).read_bytes() == png
    else:
        assert backend.read(f"{ENGINE_PREFIX}{kept.path}") == png


def test_export_and_animatic_read_the_store(
    backend: Bucket | None, engine: Client, personas: Personas, client: Any
) -> None:
    generation = completed(engine, personas)
    video = generation.outputs.get(kind=Output.Kind.VIDEO)
    stored = (
        (Path(settings.MEDIA_ROOT) / video.file.name).read_bytes()
        if backend is None
        else backend.read(video.file.name)
    )
    client.force_login(personas.viewer)
    answer = client.get(f"{reverse('review:export')}?g={generation.id}")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    assert archive.read(f"001-{str(generation.id)[:8]}/video.mp4") == stored

    answer = client.get(f"{reverse('review:export_animatic')}?g={generation.id}")
    assert answer.status_code == 200 and answer["Content-Type"] == "video/mp4"
    with av.open(io.BytesIO(b"".join(answer.streaming_content))) as container:
        assert sum(1 for _ in container.decode(video=0)) == video.frames
    if backend is not None:
        assert media_files() == []


def test_a_name_outside_the_media_folder_is_not_stored(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "secret").write_bytes(b"abc")
    assert not mediastore.exists_with_size("../secret", 3)
