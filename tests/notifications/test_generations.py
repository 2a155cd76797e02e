"""A generation (or a whole batch) that ended: made by the local engine over real HTTP,
found by the poller, told to its author through the inbox and SMTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from studio.client import Client
from studio.engine.testing import create_key, run_pending_renders
from studio.generations import lifecycle
from studio.generations.models import Batch, Generation
from studio.generations.poller import PollerConfig, poll_once
from studio.notifications.delivery import deliver_once
from studio.notifications.models import Kind, Notification
from tests.conftest import Personas
from tests.notifications.conftest import Mailbox, everyone_by_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engine(live_server: Any, settings: Any) -> Iterator[Client]:
    settings.LUMA_BASE_URL = f"{live_server.url}/v1"
    settings.LUMA_AGENTS_API_KEY = create_key("notifications")
    # A prompt with this word fails in the engine's render (its moderation).
    settings.ENGINE_MODERATION_WORDS = ["gore"]
    with Client(settings.LUMA_BASE_URL, settings.LUMA_AGENTS_API_KEY) as client:
        yield client


def submit(
    client: Client, personas: Personas, prompt: str, batch: Batch | None = None
) -> Generation:
    """Create on the engine and record the row, as the sender would have."""
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": prompt,
        "video": {"resolution": "360p", "duration": "5s"},
    }
    answer = client.create_generation(body)
    return Generation.objects.create(
        team=personas.team,
        author=personas.editor,
        prompt=prompt,
        request=body,
        resolution="360p",
        api_base_url=client.base_url,
        remote_id=answer["id"],
        state=answer["state"],
        submitted_at=timezone.now(),
        next_poll_at=timezone.now(),
        batch=batch,
        take_index=None if batch is None else batch.takes.count(),
    )


def poll() -> None:
    Generation.objects.filter(next_poll_at__isnull=False).update(next_poll_at=timezone.now())
    poll_once(PollerConfig.from_settings(owner="test-poller"))


def editors(personas: Personas) -> list[Notification]:
    return list(Notification.objects.filter(recipient=personas.editor).order_by("id"))


def test_completed_and_failed(engine: Client, personas: Personas, smtp: Mailbox) -> None:
    everyone_by_email(personas)
    good = submit(engine, personas, "a lighthouse at dusk")
    bad = submit(engine, personas, "gore in the harbour")
    poll()
    assert editors(personas) == []  # still queued
    run_pending_renders()
    poll()
    done = {n.generation_id: n for n in editors(personas)}
    assert done[good.id].kind == Kind.COMPLETED and "completed" in done[good.id].title
    assert done[bad.id].kind == Kind.FAILED and "failed" in done[bad.id].title
    assert done[bad.id].body  # the engine's reason
    poll()  # nothing new: never twice
    assert len(editors(personas)) == 2
    assert deliver_once("w1").sent == 2
    subjects = sorted(smtp.subjects("editor@example.com"))
    assert subjects == sorted(n.title for n in done.values())
    texts = " ".join(m.get_content() for m in smtp.to("editor@example.com"))
    assert f"http://studio.test/g/{good.id}/" in texts and f"/g/{bad.id}/" in texts


def test_a_batch_is_told_once_when_all_its_takes_have_ended(
    engine: Client, personas: Personas, smtp: Mailbox
) -> None:
    everyone_by_email(personas)
    batch = Batch.objects.create(team=personas.team, author=personas.editor, size=3)
    first = submit(engine, personas, "a lighthouse at dusk", batch)
    second = submit(engine, personas, "gore in the harbour", batch)
    third = submit(engine, personas, "a lighthouse at dawn", batch)
    # The third is still rendering: the batch has not ended.
    assert run_pending_renders(limit=2) == 2
    poll()
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.state == "completed" and first.outputs_ready and second.state == "failed"
    assert third.state == "queued"
    assert editors(personas) == []
    run_pending_renders()
    poll()
    [item] = editors(personas)
    assert item.batch == batch and item.kind == Kind.FAILED
    assert "3 takes" in item.title and "2 completed, 1 failed" in item.title
    assert item.url.endswith(f"?batch={batch.pk}")
    poll()
    assert deliver_once("w1").sent == 1
    assert smtp.subjects("editor@example.com") == [item.title]


def test_a_refusal_is_a_failure_and_a_cancel_is_not_news(personas: Personas, smtp: Mailbox) -> None:
    from tests.factories import make_generation

    everyone_by_email(personas)
    refused = make_generation(personas.team, personas.editor, state="sending", remote_id=None)
    assert lifecycle.refuse(refused, "Your prompt is too long")
    [item] = editors(personas)
    assert item.kind == Kind.FAILED and item.body == "Your prompt is too long"
    cancelled = make_generation(personas.team, personas.editor, state="waiting", remote_id=None)
    assert lifecycle.cancel(cancelled)
    assert len(editors(personas)) == 1
