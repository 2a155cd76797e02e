"""A real SMTP server on loopback (aiosmtpd) that the studio's emails go to, and helpers.

Who is who: the personas of tests/conftest.py (Northwind's owner, editor, reviewer and
viewer; the outsider is in another team). Their @handles are the part of their email
before the @: @owner, @editor, @reviewer, @viewer.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from studio.notifications import services
from studio.notifications.models import Channel, Kind
from tests.conftest import Personas


@dataclass
class Mailbox:
    """Every message the loopback SMTP server accepted, with its envelope recipients."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.received if address in rcpt]

    def subjects(self, address: str) -> list[str]:
        return [str(m["Subject"]) for m in self.to(address)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """The studio's email goes through SMTP to a server on loopback for this test."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    settings.SITE_URL = "http://studio.test"
    try:
        yield mailbox
    finally:
        controller.stop()


def choose(user: Any, channel: str, *kinds: str) -> None:
    """`user` hears of `kinds` (every kind when none named) through `channel`."""
    services.save_channels(user.pk, dict.fromkeys(kinds or Kind.values, channel))


def everyone_by_email(personas: Personas) -> None:
    for user in personas.by_role().values():
        choose(user, Channel.EMAIL)
