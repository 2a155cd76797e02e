"""The local engine's uploads and outputs in its store, on disk and in a bucket.

The engine is reached over real HTTP (pytest-django's live server). With a bucket, its
uploads, staged inputs and rendered outputs live under the bucket's ``engine/`` prefix,
renders work in scratch folders of the system's temporary directory, and nothing of the
media stays under ENGINE_MEDIA_ROOT.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from studio.client import Client
from studio.engine import scratch
from studio.engine.models import EngineFile, EngineGeneration
from studio.engine.testing import create_key, run_pending_renders
from studio.generations.models import Output
from studio.generations.poller import PollerConfig, poll_once
from tests.conftest import Personas
from tests.factories import gradient_png
from tests.poller.test_engine_http import submit
from tests.storage.conftest import ENGINE_PREFIX, Bucket

pytestmark = pytest.mark.django_db(transaction=True)

PNG = gradient_png(640, 360)


@pytest.fixture
def api(live_server: Any) -> Iterator[httpx.Client]:
    key = create_key("engine-store")
    with httpx.Client(
        base_url=f"{live_server.url}/v1",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ) as client:
        yield client


def engine_disk_files() -> list[Path]:
    root = Path(settings.ENGINE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def engine_scratch() -> set[str]:
    """The engine's scratch folders in the system's temporary directory."""
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{scratch.TEMP_PREFIX}*")}


def stored_bytes(backend: Bucket | None, name: str) -> bytes:
    """A name of the engine's store, read from outside the studio."""
    if backend is None:
        return (Path(settings.ENGINE_MEDIA_ROOT) / name).read_bytes()
    return backend.read(f"{ENGINE_PREFIX}{name}")


def upload(api: httpx.Client, data: bytes, name: str = "frame.png") -> dict[str, Any]:
    answer = api.post("/files", files={"file": (name, data, "image/png")})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_upload_is_kept_in_the_engine_s_store(backend: Bucket | None, api: httpx.Client) -> None:
    body = upload(api, PNG)
    assert body["state"] == "ready"
    file = EngineFile.objects.get(id=body["id"])
    assert file.path == f"files/{file.id}"
    assert stored_bytes(backend, file.path) == PNG
    if backend is not None:
        assert backend.engine_objects() == {file.path}
        # The studio's own media and the engine's share the bucket, not their names.
        assert backend.objects() == set()
        assert engine_disk_files() == []


def test_a_presigned_upload_is_kept_in_the_engine_s_store(
    backend: Bucket | None, api: httpx.Client
) -> None:
    created = api.post("/files", json={"mime_type": "image/png", "size_bytes": len(PNG)}).json()
    target = created["upload"]
    # One byte short: refused, and nothing that looks whole is kept.
    short = httpx.put(target["url"], content=PNG[:-1], headers=target["headers"], timeout=60)
    assert short.status_code == 400
    if backend is not None:
        assert backend.engine_objects() == set()
    assert engine_disk_files() == []

    sent = httpx.put(target["url"], content=PNG, headers=target["headers"], timeout=60)
    assert sent.status_code == 200
    done = api.post(f"/files/{created['id']}/complete")
    assert done.status_code == 200 and done.json()["state"] == "ready"
    assert stored_bytes(backend, f"files/{created['id']}") == PNG
    if backend is not None:
        assert backend.engine_objects() == {f"files/{created['id']}"}
        assert engine_disk_files() == []


def test_a_refused_upload_leaves_nothing_in_the_store(
    backend: Bucket | None, api: httpx.Client
) -> None:
    body = upload(api, b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 20)
    assert body["state"] == "failed"
    assert EngineFile.objects.get(id=body["id"]).path == ""
    if backend is not None:
        assert backend.engine_objects() == set()
    assert engine_disk_files() == []


def _render(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    created = api.post("/generations", json=body)
    assert created.status_code == 201, created.text
    assert run_pending_renders() == 1
    done = api.get(f"/generations/{created.json()['id']}").json()
    assert done["state"] == "completed", done
    return done


def test_a_render_reads_its_inputs_from_the_store_and_keeps_its_outputs_there(
    backend: Bucket | None, api: httpx.Client
) -> None:
    before = engine_scratch()
    file_id = upload(api, PNG)["id"]
    first = _render(
        api,
        {
            "model": "ray-3.2",
            "type": "video",
            "prompt": "a lighthouse at dusk",
            "aspect_ratio": "16:9",
            "video": {
                "resolution": "720p",
                "duration": "5s",
                "hdr": True,
                "exr_export": True,
                "keyframes": [
                    {"file_id": file_id},
                    {"data": base64.b64encode(PNG).decode(), "media_type": "image/png"},
                ],
                "keyframe_indexes": [0, 60],
            },
        },
    )
    record = EngineGeneration.objects.get(id=first["id"])
    assert record.video_path == f"{record.id}/out/video.mp4"
    assert record.exr_path == f"{record.id}/out/frames_exr.zip"
    # A prior video from the store as the start of another: read back from it.
    second = _render(
        api,
        {
            "model": "ray-3.2",
            "type": "video",
            "prompt": "the lighthouse, later",
            "video": {"resolution": "360p", "start_frame": {"generation_id": first["id"]}},
        },
    )
    later = EngineGeneration.objects.get(id=second["id"])
    if backend is not None:
        staged = {name for name in backend.engine_objects() if "/inputs/" in name}
        assert len(staged) == 1 and staged.pop().startswith(f"{record.id}/inputs/")
        assert backend.engine_objects() - {f"files/{file_id}"} - {
            n for n in backend.engine_objects() if "/inputs/" in n
        } == {record.video_path, record.exr_path, later.video_path}
        assert engine_disk_files() == []
    else:
        assert (Path(settings.ENGINE_MEDIA_ROOT) / later.video_path).is_file()
    # However the render ended, its scratch is gone.
    assert engine_scratch() - before == set()
    assert not any((Path(settings.ENGINE_MEDIA_ROOT) / scratch.FOLDER).glob("*"))

    for output, name in ((first["output"][0], record.video_path), (first["output"][1], None)):
        expected = stored_bytes(backend, name or record.exr_path)
        answer = httpx.get(output["url"], timeout=60)
        if backend is None:
            assert answer.status_code == 200 and answer.content == expected
        else:
            # Served by the store: a redirect to its own short-lived link.
            assert answer.status_code == 302
            link = answer.headers["Location"]
            assert link.startswith(settings.AWS_S3_ENDPOINT_URL) and "Signature" in link
            assert httpx.get(link, timeout=60).content == expected
        ranged = httpx.get(
            output["url"], headers={"Range": "bytes=0-99"}, follow_redirects=True, timeout=60
        )
        assert ranged.status_code == 206
        assert ranged.headers["Content-Range"] == f"bytes 0-99/{len(expected)}"
        assert ranged.content == expected[:100]


def test_a_tampered_or_missing_output_link_is_refused(
    backend: Bucket | None, api: httpx.Client
) -> None:
    done = _render(api, {"model": "ray-3.2", "type": "video", "prompt": "a quiet harbour"})
    url = done["output"][0]["url"]
    assert httpx.get(url.replace("signature=", "signature=0"), timeout=60).status_code == 403
    record = EngineGeneration.objects.get(id=done["id"])
    if backend is None:
        (Path(settings.ENGINE_MEDIA_ROOT) / record.video_path).unlink()
    else:
        backend.client.delete_object(Bucket=backend.name, Key=f"{ENGINE_PREFIX}{record.video_path}")
    gone = httpx.get(url, timeout=60)
    assert gone.status_code == 404 and "detail" in gone.json()


def test_the_poller_keeps_what_the_engine_stored(
    backend: Bucket | None, engine: Client, personas: Personas
) -> None:
    before = engine_scratch()
    generation = submit(engine, personas)
    assert run_pending_renders() == 1
    report = poll_once(PollerConfig.from_settings(owner="engine-store-poller"))
    assert report.downloaded == 1
    record = EngineGeneration.objects.get(id=generation.remote_id)
    kept = generation.outputs.get(kind=Output.Kind.VIDEO)
    engine_copy = stored_bytes(backend, record.video_path)
    assert kept.sha256 == hashlib.sha256(engine_copy).hexdigest()
    assert kept.size_bytes == len(engine_copy)
    if backend is not None:
        assert hashlib.sha256(backend.read(kept.file.name)).hexdigest() == kept.sha256
        assert engine_disk_files() == []
    assert engine_scratch() - before == set()


def test_a_sweep_in_the_temp_folder_leaves_other_studios_renders_alone(
    backend: Bucket | None, api: httpx.Client
) -> None:
    """The rule of studio.engine.scratch, where the scratch is the system's temp folder."""
    finished = _render(api, {"model": "ray-3.2", "type": "video", "prompt": "a calm bay"})
    record = EngineGeneration.objects.get(id=finished["id"])
    ours = scratch.folder_for(record)
    elsewhere = scratch.root() / f"{ours.name.replace(str(record.id), str(uuid.uuid4()))}"
    for folder in (ours, elsewhere):
        folder.mkdir(parents=True)
        (folder / ".video-partial.mp4").write_bytes(b"x" * 100)
    try:
        scratch.sweep()
        assert not ours.exists()
        # On disk the folder is the engine's own; in the temp folder an unknown job may
        # be another studio's, rendering against another database.
        assert elsewhere.exists() == (backend is not None)
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)
