"""The worker's emails: each sent once (twice run, or run concurrently), the daily digest,
and a server that cannot be reached."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from studio.notifications.delivery import deliver_once, queue_digests
from studio.notifications.models import Channel, Delivery, Kind, Notification
from studio.review import services as review
from tests.conftest import Personas
from tests.factories import make_comment, make_generation
from tests.notifications.conftest import Mailbox, choose, everyone_by_email, free_port


@pytest.fixture
def take(personas: Personas) -> Any:
    return make_generation(personas.team, personas.editor, prompt="A lighthouse at dusk")


def comments(take: Any, personas: Personas, count: int) -> None:
    for n in range(count):
        make_comment(take, personas.owner, f"Note {n} for @viewer", frame=n)


@pytest.mark.django_db
def test_running_the_worker_again_sends_nothing_again(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    everyone_by_email(personas)
    comments(take, personas, 3)
    first = deliver_once("w1")
    assert first.sent == 6  # three to the viewer (mentions), three to the editor
    assert deliver_once("w1").sent == 0
    assert deliver_once("w2").sent == 0
    call_command("notify", "--once")
    assert len(smtp.to("viewer@example.com")) == 3
    assert len(smtp.to("editor@example.com")) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_workers_running_at_once_send_each_email_once(personas: Personas, smtp: Mailbox) -> None:
    take = make_generation(personas.team, personas.editor, prompt="A lighthouse at dusk")
    everyone_by_email(personas)
    comments(take, personas, 10)
    start = threading.Barrier(3)
    reports = []

    def worker(name: str) -> None:
        try:
            start.wait()
            reports.append(deliver_once(name))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in reports) == 20
    assert len(smtp.received) == 20
    assert len({m["Subject"] + m.get_content() for _, m in smtp.received}) == 20
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 20


@pytest.mark.django_db
def test_the_daily_digest_is_one_email_a_day(
    personas: Personas, take: Any, smtp: Mailbox, settings: Any
) -> None:
    settings.NOTIFY_DIGEST_HOUR = 8
    choose(personas.viewer, Channel.DIGEST)
    comments(take, personas, 3)
    day = timezone.localtime().replace(hour=7, minute=0)
    # Before the hour: nothing yet, not even right away.
    assert deliver_once("w1", now=day).sent == 0
    assert smtp.to("viewer@example.com") == []
    at_nine = day.replace(hour=9) + dt.timedelta(days=1)
    report = deliver_once("w1", now=at_nine)
    assert report.digests == 1
    [digest] = smtp.to("viewer@example.com")
    assert "digest" in digest["Subject"] and "3 notification(s)" in digest["Subject"]
    text = digest.get_content()
    assert text.count("mentioned you") == 3
    assert "Note 0 for @viewer" in text and "Note 2 for @viewer" in text
    # The inbox has them too.
    assert Notification.objects.filter(recipient=personas.viewer, read_at__isnull=True).count() == 3

    # Later that day: a new one waits for the next day's digest.
    Notification.objects.filter(recipient=personas.viewer).update(created_at=at_nine)
    review.add_comment(take, "One more @viewer", frame=None, author=personas.owner)
    Notification.objects.filter(recipient=personas.viewer, digest__isnull=True).update(
        created_at=at_nine + dt.timedelta(hours=1)
    )
    assert deliver_once("w1", now=at_nine + dt.timedelta(hours=2)).digests == 0
    assert queue_digests(at_nine + dt.timedelta(hours=3)) == 0
    assert len(smtp.to("viewer@example.com")) == 1
    next_day = at_nine + dt.timedelta(days=1)
    assert deliver_once("w1", now=next_day).digests == 1
    assert deliver_once("w2", now=next_day + dt.timedelta(minutes=5)).digests == 0
    mails = smtp.to("viewer@example.com")
    assert len(mails) == 2 and "1 notification(s)" in mails[1]["Subject"]
    assert "One more @viewer" in mails[1].get_content()


@pytest.mark.django_db
def test_a_server_that_cannot_be_reached_is_tried_again_later(
    personas: Personas, take: Any, settings: Any, smtp: Mailbox
) -> None:
    choose(personas.editor, Channel.EMAIL, Kind.COMMENT)
    review.add_comment(take, "Nice", frame=None, author=personas.owner)
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    report = deliver_once("w1")
    assert report.retried == 1 and report.sent == 0
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.claimed_at is None and delivery.next_attempt_at > timezone.now()
    assert deliver_once("w1").sent == 0  # not due yet
    settings.MAILERS = working
    report = deliver_once("w1", now=delivery.next_attempt_at + dt.timedelta(seconds=1))
    assert report.sent == 1
    assert len(smtp.to("editor@example.com")) == 1
