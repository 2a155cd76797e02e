"""Submitting through the composer to the local engine over real HTTP."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from studio.engine.models import EngineFile, EngineGeneration
from studio.generations.lifecycle import Draft, record
from studio.generations.models import Generation, ProgressEvent, RemoteFile
from studio.teams.models import Membership
from tests.composer.conftest import run_sender as send
from tests.conftest import Personas

pytestmark = pytest.mark.django_db(transaction=True)


def form(**fields: Any) -> dict[str, Any]:
    data = {
        "submit_token": str(uuid.uuid4()),
        "mode": "video",
        "prompt": "a paper boat drifting down a rain gutter",
        "resolution": "360p",
        "duration": "5s",
        "direction": "forward",
        "controls_mode": "auto",
    }
    data.update(fields)
    return data


@pytest.fixture
def editor(client: Client, personas: Personas) -> Client:
    client.force_login(personas.editor)
    return client


def test_text_to_video_reaches_the_engine_exactly(
    editor: Client, engine: str, personas: Personas
) -> None:
    membership = Membership.objects.get(user=personas.editor, team=personas.team)
    response = editor.post(reverse("composer:compose"), form(aspect_ratio="21:9", loop="on"))
    generation = Generation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("review:generation", args=[generation.id])
    # Recorded and answered at once; nothing is sent inside the request.
    assert generation.state == "waiting" and EngineGeneration.objects.count() == 0
    send()
    generation.refresh_from_db()
    expected = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a paper boat drifting down a rain gutter",
        "aspect_ratio": "21:9",
        "video": {"resolution": "360p", "duration": "5s", "loop": True},
        "user_id": str(membership.api_user_id),
    }
    assert EngineGeneration.objects.get().request == expected
    assert generation.request == expected
    assert generation.state == "queued"
    assert str(generation.remote_id) == str(EngineGeneration.objects.get().id)
    assert generation.price == Decimal("0.06")
    assert generation.api_base_url == engine
    assert generation.next_poll_at is not None and generation.submitted_at is not None
    assert list(generation.events.values_list("kind", flat=True)) == [
        "recorded",
        "sending",
        "submitted",
    ]
    assert generation.composition["loop"] is True


def test_keyframes_go_as_file_ids_uploaded_once(
    editor: Client, engine: str, image_asset: Any
) -> None:
    images = [image_asset() for _ in range(3)]
    keyframes = [{"asset": a.id, "frame": f} for a, f in zip(images, (0, 60, 120), strict=True)]
    editor.post(reverse("composer:compose"), form(keyframes=json.dumps(keyframes)))
    send()
    sent = EngineGeneration.objects.get().request
    file_ids = [RemoteFile.objects.get(asset=a, api_base_url=engine).file_id for a in images]
    assert sent["video"]["keyframes"] == [{"file_id": f} for f in file_ids]
    assert sent["video"]["keyframe_indexes"] == [0, 60, 120]
    assert EngineFile.objects.count() == 3

    # Reused on the next submit; the one deleted on the API is uploaded again.
    from django.conf import settings

    from studio.client import Client as ApiClient

    with ApiClient(settings.LUMA_BASE_URL, settings.LUMA_AGENTS_API_KEY) as api:
        api.delete_file(file_ids[1])
    editor.post(reverse("composer:compose"), form(keyframes=json.dumps(keyframes)))
    send()
    assert EngineFile.objects.count() == 4
    again = EngineGeneration.objects.order_by("-created_at").first().request
    new_ids = [ref["file_id"] for ref in again["video"]["keyframes"]]
    assert new_ids[0] == file_ids[0] and new_ids[2] == file_ids[2]
    assert new_ids[1] != file_ids[1]
    assert RemoteFile.objects.get(asset=images[1]).file_id == new_ids[1]


def test_double_submit_makes_one_generation(editor: Client, engine: str) -> None:
    data = form()
    first = editor.post(reverse("composer:compose"), data)
    send()
    second = editor.post(reverse("composer:compose"), data)
    send()
    assert Generation.objects.count() == 1
    assert EngineGeneration.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_same_token_in_record_returns_the_first(personas: Personas, settings: object) -> None:
    settings.LUMA_BASE_URL = "http://127.0.0.1:9/v1"  # type: ignore[attr-defined]
    settings.LUMA_AGENTS_API_KEY = "luma-api-test"  # type: ignore[attr-defined]
    membership = Membership.objects.get(user=personas.editor, team=personas.team)
    body = {"model": "ray-3.2", "type": "video", "prompt": "x", "video": {"resolution": "720p"}}
    draft = Draft(membership, "create", body, {}, Decimal("0.30"), False)
    token = str(uuid.uuid4())
    (one,), created_one = record([draft], submit_token=token)
    (two,), created_two = record([draft], submit_token=token)
    assert (created_one, created_two) == (True, False)
    assert one.pk == two.pk and Generation.objects.count() == 1


def test_refusal_shows_the_detail_verbatim_and_keeps_the_composition(
    editor: Client, engine: str, settings: object
) -> None:
    from studio.engine.models import ApiKey

    settings.ENGINE_BALANCE_ENABLED = True  # type: ignore[attr-defined]
    ApiKey.objects.update(balance=Decimal("0.01"))
    response = editor.post(reverse("composer:compose"), form(prompt="a heron in reeds"))
    generation = Generation.objects.get()
    assert response["Location"] == reverse("review:generation", args=[generation.id])
    send()
    page = editor.get(response["Location"]).content.decode()
    assert "The API refused it" in page
    assert "Insufficient balance. Please add funds to continue." in page
    assert "a heron in reeds" in page
    generation.refresh_from_db()
    assert generation.state == "refused"
    assert generation.error_detail == "Insufficient balance. Please add funds to continue."
    assert generation.remote_id is None


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections, reads, never answers: a create whose outcome is unknown."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_uncertain_then_resend_or_drop(
    editor: Client, engine: str, silent_server: str, settings: object
) -> None:
    settings.LUMA_BASE_URL, real = silent_server, settings.LUMA_BASE_URL  # type: ignore[attr-defined]
    settings.LUMA_TIMEOUT = 0.5  # type: ignore[attr-defined]
    response = editor.post(reverse("composer:compose"), form())
    send()
    assert "Submission uncertain" in editor.get(response["Location"]).content.decode()
    generation = Generation.objects.get()
    assert generation.state == "uncertain"
    send()
    assert EngineGeneration.objects.count() == 0  # and nothing resent by itself
    assert Generation.objects.get().state == "uncertain"

    settings.LUMA_BASE_URL = real  # type: ignore[attr-defined]
    editor.post(reverse("composer:resend", args=[generation.id]))
    send()
    generation.refresh_from_db()
    assert generation.state == "queued" and generation.remote_id is not None
    assert EngineGeneration.objects.count() == 1

    settings.LUMA_BASE_URL = silent_server  # type: ignore[attr-defined]
    editor.post(reverse("composer:compose"), form())
    send()
    other = Generation.objects.exclude(pk=generation.pk).get()
    assert other.state == "uncertain"
    editor.post(reverse("composer:drop", args=[other.id]))
    other.refresh_from_db()
    assert other.state == "dropped"
    assert list(other.events.values_list("kind", flat=True)) == [
        "recorded",
        "sending",
        "uncertain",
        "dropped",
    ]


def test_budget_refuses_before_anything_is_sent(
    editor: Client, engine: str, personas: Personas
) -> None:
    personas.team.monthly_budget = Decimal("0.10")
    personas.team.save()
    editor.post(reverse("composer:compose"), form())  # 0.06
    response = editor.post(reverse("composer:compose"), form())  # 0.12 > 0.10
    assert response.status_code == 402
    assert "monthly budget" in response.content.decode()
    send()
    assert Generation.objects.count() == 1 and EngineGeneration.objects.count() == 1

    Membership.objects.filter(user=personas.editor).update(monthly_budget=Decimal("0.05"))
    personas.team.monthly_budget = None
    personas.team.save()
    response = editor.post(reverse("composer:compose"), form())
    assert "your monthly budget" in response.content.decode()


def test_retry_of_a_failed_generation_is_a_linked_remix(
    editor: Client, engine: str, personas: Personas
) -> None:
    editor.post(reverse("composer:compose"), form())
    send()
    failed = Generation.objects.get()
    Generation.objects.filter(pk=failed.pk).update(state="failed", failure_code="content_moderated")
    editor.post(reverse("composer:retry", args=[failed.id]))
    assert Generation.objects.count() == 1  # not a retryable failure

    Generation.objects.filter(pk=failed.pk).update(failure_code="generation_failed")
    response = editor.post(reverse("composer:retry", args=[failed.id]))
    send()
    retry = Generation.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == reverse("review:generation", args=[retry.id])
    assert (retry.action, retry.parent_id, retry.state) == ("remix", failed.id, "queued")
    assert retry.request == failed.request
    assert EngineGeneration.objects.count() == 2


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_reviewers_and_viewers_cannot_compose(
    client: Client, personas: Personas, role: str
) -> None:
    client.force_login(getattr(personas, role))
    assert client.get(reverse("composer:compose")).status_code == 403
    assert client.post(reverse("composer:compose"), form()).status_code == 403
    assert client.post(reverse("composer:upload"), {}).status_code == 403
    generation = Generation.objects.create(
        team=personas.team, author=personas.editor, prompt="p", state="uncertain"
    )
    for name in ("resend", "drop", "retry"):
        assert client.post(reverse(f"composer:{name}", args=[generation.id])).status_code == 403
    assert Generation.objects.get().state == "uncertain"
    assert not ProgressEvent.objects.exists()


def test_outsiders_get_404_on_decisions(client: Client, personas: Personas) -> None:
    generation = Generation.objects.create(
        team=personas.team, author=personas.editor, prompt="p", state="uncertain"
    )
    client.force_login(personas.outsider)
    for name in ("resend", "drop", "retry"):
        assert client.post(reverse(f"composer:{name}", args=[generation.id])).status_code == 404
    assert Generation.objects.get().state == "uncertain"


def test_over_the_storage_quota_the_composer_refuses(
    editor: Client, engine: str, personas: Personas
) -> None:
    from tests.factories import add_media, make_generation

    add_media(make_generation(personas.team, personas.editor), frames=4)
    personas.team.storage_quota_bytes = 1000
    personas.team.save()
    response = editor.post(reverse("composer:compose"), form())
    assert response.status_code == 409
    assert "storage quota" in response.content.decode()
    assert Generation.objects.count() == 1
