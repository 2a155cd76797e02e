"""Sending the emails: each a `Delivery`, claimed once, sent once, recorded.

`deliver_once()` is one pass of the `notify` worker: it makes today's digests once the
digest hour has passed, then sends every due email. A row is claimed with a conditional
UPDATE (`claimed_at IS NULL`) and sent only by the worker whose UPDATE changed it, so two
workers never send one email. A failure that certainly sent nothing (the server could not
be reached, or refused the sender or the recipient) frees the row for a later attempt; any
other failure leaves it failed, since it may have been sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from studio.notifications.models import Channel, Delivery, Notification
from studio.workers.loop import make_owner

log = logging.getLogger("studio.notifications")

BATCH = 100
MAX_ATTEMPTS = 5
# Nothing left the studio: trying again cannot mail anyone twice.
NOT_SENT = (
    ConnectionRefusedError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
)


@dataclass
class DeliveryReport:
    digests: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def worked(self) -> bool:
        return bool(self.digests or self.sent or self.retried or self.failed)


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


# --- Digests -----------------------------------------------------------------------------


def queue_digests(now: dt.datetime | None = None) -> int:
    """Each person's digest of the day, once the digest hour has passed; made once a day.

    It carries every digest notification not yet in a digest. The one worker whose insert
    makes the day's row attaches them; a person's notifications after their digest went
    out wait for the next day's.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFY_DIGEST_HOUR:
        return 0
    waiting = Notification.objects.filter(
        channel=Channel.DIGEST, digest__isnull=True, created_at__lte=now
    )
    made = 0
    for recipient_id in waiting.values_list("recipient_id", flat=True).distinct():
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                recipient_id=recipient_id,
                digest_date=local.date(),
                defaults={"created_at": now, "next_attempt_at": now},
            )
            if created:
                waiting.filter(recipient_id=recipient_id).update(digest=delivery)
                made += 1
    return made


# --- Sending -----------------------------------------------------------------------------


def _link(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def _preferences_link() -> str:
    from django.urls import reverse

    return _link(reverse("notifications:preferences"))


def message_for(delivery: Delivery) -> EmailMessage | None:
    """The email of one delivery (None: nothing left to say, e.g. an empty digest)."""
    to = [delivery.recipient.email]
    footer = f"\n\n—\nChoose what you hear about, and how: {_preferences_link()}\n"
    if delivery.notification_id is not None:
        item = delivery.notification
        assert item is not None
        text = item.title + (f"\n\n{item.body}" if item.body else "")
        return EmailMessage(subject=item.title, body=f"{text}\n\n{_link(item.url)}{footer}", to=to)
    items = list(delivery.items.order_by("created_at", "id"))
    if not items:
        return None
    lines = [f"{len(items)} notification(s) since your last digest:", ""]
    for item in items:
        lines.append(f"• {item.title}")
        if item.body:
            lines.append(f"  {item.body}")
        lines.append(f"  {_link(item.url)}")
    day = delivery.digest_date.isoformat() if delivery.digest_date else ""
    return EmailMessage(
        subject=f"Your studio digest for {day}: {len(items)} notification(s)",
        body="\n".join(lines) + footer,
        to=to,
    )


def claim(delivery_id: int, owner: str, now: dt.datetime) -> bool:
    """Take one due delivery for this worker; False when another took it first."""
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, claimed_at__isnull=True
        ).update(claimed_at=now, claimed_by=owner)
    )


def _finish(delivery: Delivery, owner: str, **fields: object) -> None:
    Delivery.objects.filter(pk=delivery.pk, claimed_by=owner).update(**fields)


def send_one(delivery: Delivery, owner: str, mailer: BaseEmailBackend) -> str:
    """Send one claimed delivery; returns `sent`, `retried` or `failed`."""
    attempts = delivery.attempts + 1
    try:
        message = message_for(delivery)
        if message is not None:
            mailer.send_messages([message])
    except NOT_SENT as exc:
        log.warning("email %s not sent (attempt %s): %s", delivery.pk, attempts, exc)
        error = str(exc)[:2000] or type(exc).__name__
        if attempts >= MAX_ATTEMPTS:
            _finish(delivery, owner, attempts=attempts, error=error, status=Delivery.Status.FAILED)
            return "failed"
        # Freed for a later attempt, pushed forward so one bad row cannot hold up the worker.
        _finish(
            delivery,
            owner,
            attempts=attempts,
            error=error,
            claimed_at=None,
            claimed_by="",
            next_attempt_at=timezone.now() + retry_delay(attempts),
        )
        return "retried"
    except Exception as exc:
        # It may have reached the server: never sent again by itself.
        log.exception("email %s failed", delivery.pk)
        _finish(
            delivery,
            owner,
            attempts=attempts,
            status=Delivery.Status.FAILED,
            error=str(exc)[:2000] or type(exc).__name__,
        )
        return "failed"
    _finish(delivery, owner, attempts=attempts, status=Delivery.Status.SENT, sent_at=timezone.now())
    return "sent"


def deliver_once(
    owner: str | None = None,
    *,
    now: dt.datetime | None = None,
    mailer: BaseEmailBackend | None = None,
) -> DeliveryReport:
    """One pass: today's digests, then every due email (up to `BATCH`)."""
    owner = owner or make_owner()
    if not connection.in_atomic_block:
        close_old_connections()
    report = DeliveryReport(digests=queue_digests(now))
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, claimed_at__isnull=True, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:BATCH]
    )
    if not due:
        return report
    # Each send opens its own connection, so a server that is down fails that email's
    # attempt (and is tried again later) instead of the whole pass.
    mailer = mailer or mailers.default
    for delivery_id in due:
        if not claim(delivery_id, owner, timezone.now()):
            continue
        delivery = Delivery.objects.select_related("recipient", "notification").get(pk=delivery_id)
        outcome = send_one(delivery, owner, mailer)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
