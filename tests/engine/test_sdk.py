"""The official Python SDK, unchanged, against the engine on a live server."""

from __future__ import annotations

import httpx
import pytest
from luma_agents import Luma, NotFoundError, UnprocessableEntityError

from studio.engine.testing import create_key, run_pending_renders
from tests.factories import gradient_png


@pytest.fixture
def luma(live_server: object, transactional_db: None) -> Luma:
    key = create_key("sdk")
    return Luma(auth_token=key, base_url=f"{live_server.url}/v1", max_retries=0)  # type: ignore[attr-defined]


def test_sdk_creates_and_polls_a_generation(luma: Luma) -> None:
    created = luma.generations.create(
        model="ray-3.2",
        type="video",
        prompt="a forest at night, slow pan",
        video={"resolution": "360p", "duration": "5s"},
    )
    assert created.state == "queued"
    assert luma.generations.get(created.id).state == "queued"
    assert run_pending_renders() == 1
    done = luma.generations.get(created.id)
    assert done.state == "completed"
    assert done.output is not None and done.output[0].type == "video"
    assert httpx.get(done.output[0].url).headers["content-type"] == "video/mp4"


def test_sdk_sees_contract_errors_and_missing_generations(luma: Luma) -> None:
    with pytest.raises(UnprocessableEntityError) as refused:
        luma.generations.create(
            model="ray-3.2",
            type="video",
            prompt="a loop",
            video={"resolution": "360p", "duration": "10s", "loop": True},
        )
    assert refused.value.body == {"detail": "video.loop: not supported with duration 10s"}
    with pytest.raises(NotFoundError):
        luma.generations.get("00000000-0000-4000-8000-000000000000")


def test_sdk_files_presigned_upload_complete_get_list_delete(luma: Luma) -> None:
    image = gradient_png()
    created = luma.files.create(
        mime_type="image/png", size_bytes=len(image), filename="frame.png", purpose="reference"
    )
    assert created.state == "pending"
    assert created.upload is not None and created.upload.method == "PUT"
    put = httpx.put(created.upload.url, content=image, headers=created.upload.headers or {})
    assert put.status_code == 200
    completed = luma.files.complete(created.id)
    assert completed.state == "ready"
    fetched = luma.files.get(created.id)
    assert (fetched.filename, fetched.purpose, fetched.size_bytes) == (
        "frame.png",
        "reference",
        len(image),
    )
    page = luma.files.list(limit=10)
    assert [f.id for f in page.data] == [created.id]
    assert page.has_more is False

    # The ready file works as a keyframe by id.
    generation = luma.generations.create(
        model="ray-3.2",
        type="video",
        prompt="from the uploaded frame",
        video={"resolution": "360p", "start_frame": {"file_id": created.id}},
    )
    assert generation.state == "queued"

    luma.files.delete(created.id)
    assert luma.files.get(created.id).state == "deleted"
    assert luma.files.list().data == []
    with pytest.raises(UnprocessableEntityError) as refused:
        luma.generations.create(
            model="ray-3.2",
            type="video",
            prompt="from a deleted frame",
            video={"resolution": "360p", "start_frame": {"file_id": created.id}},
        )
    assert refused.value.body == {"detail": "video.start_frame.file_id: no ready file with this id"}
