"""Previews: started over the JSON API or the composer, rendered by the engine worker's
step, never sent to a generation API, one at a time per person, swept after a day."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.api.tokens import issue
from studio.contract import errors as e
from studio.engine.errors import URL_NOT_ALLOWED
from studio.generations.models import Generation
from studio.previews import worker
from studio.previews.models import KEEP, Preview, folder_of
from studio.previews.service import NEEDS_ENGINE
from tests.composer.conftest import run_sender
from tests.conftest import Personas
from tests.factories import make_asset, picture, png_of
from tests.previews.conftest import Recorder, decoded_frames, difference

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = "preview-tests"


def body(**video: Any) -> dict[str, Any]:
    return {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a paper boat drifting down a rain gutter",
        "video": {"resolution": "1080p", "duration": "5s", **video},
    }


class Api:
    """The JSON API with one persona's token."""

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def start(self, data: Any) -> Any:
        return self.client.post(
            reverse("api:previews"),
            json.dumps(data),
            content_type="application/json",
            headers=self.headers,
        )

    def get(self, url: str) -> Any:
        return self.client.get(url, headers=self.headers)

    def state(self, preview_id: str) -> Any:
        return self.get(reverse("api:preview", args=[preview_id]))


@pytest.fixture
def editor_api(client: Client, personas: Personas) -> Api:
    return Api(client, issue(personas.editor, personas.team, "tests")[1])


def test_the_preview_has_each_keyframe_at_its_frame(
    editor_api: Api, keyframe_assets: list, image_server: str, settings: Any
) -> None:
    settings.STUDIO_ALLOWED_API_HOSTS = [image_server]
    inline = base64.b64encode(png_of(picture(1))).decode()
    keys = [
        {"file_id": f"asset:{keyframe_assets[0].id}"},  # the studio's own upload
        {"data": inline, "media_type": "image/png"},
        {"file_id": f"asset:{keyframe_assets[2].id}"},
        {"url": f"http://{image_server}/key.png"},  # fetched through the outbound guard
    ]
    indexes = [0, 37, 80, 120]
    started = editor_api.start({"request": body(keyframes=keys, keyframe_indexes=indexes)})
    assert started.status_code == 202, started.content
    record = started.json()
    assert record["state"] == "queued" and record["label"] == "local preview"
    assert "url" not in record

    assert worker.process_one(WORKER)
    record = editor_api.state(record["id"]).json()
    assert record["state"] == "ready", record
    video = editor_api.get(record["url"])
    assert video.status_code == 200 and video["Content-Type"] == "video/mp4"
    frames = decoded_frames(b"".join(video.streaming_content))

    # Draft size whatever the request asked (1080p), on the request's own frame grid.
    assert len(frames) == 121 and frames[0].shape == (360, 640, 3)
    expected = {0: picture(0), 37: picture(1), 80: picture(2), 120: picture(3)}
    for index, image in expected.items():
        assert difference(frames[index], image) < 8, index
        for other_index, other in expected.items():
            if other_index != index:
                assert difference(frames[index], other) > 40, (index, other_index)
    # Between keyframes the video moves on: the frame before a key is not the key yet.
    assert difference(frames[20], picture(0)) > 8 and difference(frames[20], picture(1)) > 8
    # Not a generation: nothing in the gallery, nothing in the engine's own queue.
    assert Generation.objects.count() == 0
    from studio.engine.models import EngineGeneration

    assert EngineGeneration.objects.count() == 0


def test_a_preview_never_reaches_the_teams_paid_api(
    client: Client, personas: Personas, keyframe_assets: list, recorder: Recorder, settings: Any
) -> None:
    # The team sends to a paid API (here a recording server); so does the studio.
    personas.team.api_base_url = recorder.url  # type: ignore[attr-defined]
    personas.team.api_key = "luma-api-recorded"  # type: ignore[attr-defined]
    personas.team.save()  # type: ignore[attr-defined]
    settings.LUMA_BASE_URL, settings.LUMA_AGENTS_API_KEY = recorder.url, "luma-api-recorded"
    settings.STUDIO_ALLOWED_API_HOSTS = [recorder.url.split("/")[2]]
    client.force_login(personas.editor)
    keys = [{"asset": a.id, "frame": f} for a, f in zip(keyframe_assets, (0, 60, 120), strict=True)]
    started = client.post(
        reverse("previews:preview"),
        {
            "submit_token": str(uuid.uuid4()),
            "mode": "video",
            "prompt": "a paper boat",
            "resolution": "720p",
            "duration": "5s",
            "direction": "forward",
            "controls_mode": "auto",
            "keyframes": json.dumps(keys),
        },
    )
    assert started.status_code == 202, started.content
    record = started.json()
    assert worker.process_one(WORKER)
    run_sender()
    state = client.get(record["status_url"]).json()
    assert state["state"] == "ready" and state["label"] == "local preview"
    video = client.get(state["url"])
    assert video.status_code == 200
    assert len(decoded_frames(b"".join(video.streaming_content))) == 121
    assert recorder.seen == []
    assert Generation.objects.count() == 0


def test_the_composer_form_is_checked_like_a_submit(client: Client, personas: Personas) -> None:
    client.force_login(personas.editor)
    refused = client.post(
        reverse("previews:preview"),
        {"submit_token": str(uuid.uuid4()), "mode": "video", "resolution": "720p"},
    )
    assert refused.status_code == 400 and refused.json()["detail"]
    assert Preview.objects.count() == 0
    client.force_login(personas.reviewer)
    assert client.post(reverse("previews:preview"), {"mode": "video"}).status_code == 403


def test_a_new_preview_replaces_the_one_still_queued(
    client: Client, personas: Personas, editor_api: Api
) -> None:
    first = editor_api.start({"request": body(loop=True)}).json()
    second = editor_api.start({"request": body()}).json()
    assert editor_api.state(first["id"]).status_code == 404
    assert list(Preview.objects.values_list("id", flat=True)) == [uuid.UUID(second["id"])]

    rendering = worker.claim(WORKER)
    assert rendering is not None and str(rendering.id) == second["id"]
    third = editor_api.start({"request": body()}).json()
    # The one rendering is not replaced; the new one waits for it: one at a time.
    assert editor_api.state(second["id"]).json()["state"] == "rendering"
    assert editor_api.state(third["id"]).json()["state"] == "queued"
    assert worker.claim(WORKER) is None
    # Someone else's preview is not held up by the editor's.
    owner_api = Api(client, issue(personas.owner, personas.team, "tests")[1])
    theirs = owner_api.start({"request": body()}).json()
    claimed = worker.claim(WORKER)
    assert claimed is not None and str(claimed.id) == theirs["id"]


def test_an_input_gone_before_the_render_fails_the_preview_plainly(
    editor_api: Api, keyframe_assets: list
) -> None:
    started = editor_api.start(
        {"request": body(start_frame={"file_id": f"asset:{keyframe_assets[0].id}"})}
    ).json()
    Path(keyframe_assets[0].file.path).unlink()
    assert worker.process_one(WORKER)
    record = editor_api.state(started["id"]).json()
    assert record["state"] == "failed" and "url" not in record
    assert "video.start_frame: the input is gone" in record["failure_reason"]


def test_previews_are_their_owners_alone(
    client: Client, personas: Personas, editor_api: Api
) -> None:
    mine = editor_api.start({"request": body()}).json()
    owner_api = Api(client, issue(personas.owner, personas.team, "tests")[1])
    assert owner_api.state(mine["id"]).status_code == 404
    reviewer_api = Api(client, issue(personas.reviewer, personas.team, "tests")[1])
    assert reviewer_api.start({"request": body()}).status_code == 403


def test_the_sweep_removes_expired_previews_and_their_files(
    editor_api: Api, personas: Personas
) -> None:
    old = editor_api.start({"request": body()}).json()
    assert worker.process_one(WORKER)
    assert (folder_of(uuid.UUID(old["id"])) / "video.mp4").is_file()
    made = timezone.now() - timedelta(days=1, minutes=1)
    Preview.objects.filter(id=old["id"]).update(created_at=made, expires_at=made + KEEP)
    fresh = editor_api.start({"request": body()}).json()

    assert worker.sweep() == 1
    assert not folder_of(uuid.UUID(old["id"])).exists()
    assert editor_api.state(old["id"]).status_code == 404
    assert editor_api.state(fresh["id"]).json()["state"] == "queued"
    # A day after it was made, the fresh one goes the same way.
    assert worker.sweep(timezone.now() + timedelta(days=1, seconds=1)) == 1
    assert Preview.objects.count() == 0


@pytest.mark.parametrize(
    ("request_body", "status", "detail"),
    [
        ("not an object", 400, "request: must be a Ray 3.2 request body (an object)"),
        (
            body(keyframes=[{"file_id": "asset:999999"}], keyframe_indexes=[10]),
            422,
            e.file_not_ready("video.keyframes[0]"),
        ),
        (
            body(start_frame={"generation_id": str(uuid.uuid4())}),
            422,
            e.generation_not_completed("video.start_frame"),
        ),
        (
            body(start_frame={"url": "http://127.0.0.1:9/x.png"}),
            422,
            URL_NOT_ALLOWED.format(path="video.start_frame"),
        ),
    ],
)
def test_bad_requests_are_refused_clearly(
    editor_api: Api, request_body: Any, status: int, detail: str
) -> None:
    refused = editor_api.start({"request": request_body})
    assert refused.status_code == status, refused.content
    assert refused.json()["detail"].startswith(detail)
    assert Preview.objects.count() == 0
    assert not any((Path(django_settings.MEDIA_ROOT) / "previews").glob("*/*"))


def test_another_teams_upload_cannot_be_previewed(editor_api: Api, personas: Personas) -> None:
    theirs = make_asset(
        personas.other_team, personas.outsider, png_of(picture(0)), name="theirs.png"
    )
    refused = editor_api.start({"request": body(start_frame={"file_id": f"asset:{theirs.id}"})})
    assert refused.status_code == 422
    assert refused.json()["detail"] == e.file_not_ready("video.start_frame")


def test_a_contract_refusal_has_the_contracts_words(editor_api: Api) -> None:
    refused = editor_api.start({"request": {**body(), "model": "ray-9"}})
    assert refused.status_code in (400, 422)
    assert refused.json()["detail"]


def test_with_the_engine_off_the_button_says_why(
    client: Client, personas: Personas, editor_api: Api, settings: Any
) -> None:
    settings.ENGINE_ENABLED = False
    refused = editor_api.start({"request": body()})
    assert refused.status_code == 503 and refused.json()["detail"] == NEEDS_ENGINE
    client.force_login(personas.editor)
    page = client.get(reverse("composer:compose")).content.decode()
    assert 'id="preview-button" disabled' in page
    assert NEEDS_ENGINE in page


def test_the_studio_starts_with_the_engine_off(tmp_path: Path) -> None:
    """Without the engine app the previews app still loads (no engine model imported)."""
    env = {**os.environ, "ENGINE_ENABLED": "false", "STUDIO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_engine_worker_renders_previews_and_sweeps_expired_ones(
    editor_api: Api, personas: Personas
) -> None:
    from django.core.management import call_command

    made = timezone.now() - timedelta(days=2)
    expired = Preview.objects.create(
        owner=personas.owner,  # type: ignore[attr-defined]
        team=personas.team,  # type: ignore[attr-defined]
        request=body(),
        created_at=made,
        expires_at=made + KEEP,
    )
    started = editor_api.start({"request": body()}).json()
    call_command("engine_worker", "--once", stdout=io.StringIO())
    assert editor_api.state(started["id"]).json()["state"] == "ready"
    assert not Preview.objects.filter(id=expired.id).exists()
