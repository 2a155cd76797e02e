"""Mentions, replies, comments and approvals: each through the inbox and through SMTP."""

from __future__ import annotations

from typing import Any

import pytest

from studio.notifications.delivery import deliver_once
from studio.notifications.models import Channel, Delivery, Kind, Notification
from studio.notifications.services import comment_saved
from studio.review import services as review
from studio.review.models import Comment
from tests.conftest import Personas
from tests.factories import make_generation
from tests.notifications.conftest import Mailbox, choose, everyone_by_email

pytestmark = pytest.mark.django_db


def inbox(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


@pytest.fixture
def take(personas: Personas) -> Any:
    """The editor's generation."""
    return make_generation(personas.team, personas.editor, prompt="A lighthouse at dusk")


def test_a_mention_reaches_the_inbox_and_the_mail(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    everyone_by_email(personas)
    comment = review.add_comment(
        take, "@viewer@example.com does this read?", frame=3, author=personas.reviewer
    )

    [item] = inbox(personas.viewer)
    assert item.kind == Kind.MENTION and item.read_at is None
    assert item.comment == comment and item.actor == personas.reviewer
    assert item.url.endswith(f"#comment-{comment.pk}")
    assert "mentioned you" in item.title

    report = deliver_once("w1")
    assert report.sent == 2  # the mention, and the comment on the editor's generation
    [mail] = smtp.to("viewer@example.com")
    assert "Rita Reviewer mentioned you" in mail["Subject"]
    text = mail.get_content()
    assert "@viewer@example.com does this read?" in text
    assert f"http://studio.test/g/{take.id}/#comment-{comment.pk}" in text
    assert "http://studio.test/accounts/notifications/" in text
    assert Delivery.objects.get(notification=item).status == Delivery.Status.SENT


def test_a_comment_on_your_generation(personas: Personas, take: Any, smtp: Mailbox) -> None:
    everyone_by_email(personas)
    review.add_comment(take, "Lovely light", frame=None, author=personas.owner)
    [item] = inbox(personas.editor)
    assert item.kind == Kind.COMMENT and "commented on your generation" in item.title
    assert inbox(personas.owner) == []  # never told of what you did yourself
    deliver_once("w1")
    [mail] = smtp.to("editor@example.com")
    assert "Olive Owner commented on your generation" in mail["Subject"]
    assert smtp.to("owner@example.com") == []


def test_a_reply_to_your_comment(personas: Personas, take: Any, smtp: Mailbox) -> None:
    everyone_by_email(personas)
    head = review.add_comment(take, "Too dark?", frame=4, author=personas.reviewer)
    Notification.objects.all().delete()
    review.add_comment(take, "Agreed", frame=None, author=personas.owner, parent_id=head.pk)
    [reply] = inbox(personas.reviewer)
    assert reply.kind == Kind.REPLY and "replied to your comment" in reply.title
    [on_own] = inbox(personas.editor)
    assert on_own.kind == Kind.COMMENT
    deliver_once("w1")
    assert smtp.subjects("reviewer@example.com") == [reply.title]
    assert smtp.subjects("editor@example.com") == [on_own.title]


def test_one_notification_per_comment_whatever_applies(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    """Mentioned in a reply to their own comment on their own generation: one, a mention."""
    everyone_by_email(personas)
    head = review.add_comment(take, "Check the sky", frame=2, author=personas.editor)
    review.add_comment(
        take, "@editor fixed?", frame=None, author=personas.reviewer, parent_id=head.pk
    )
    [item] = inbox(personas.editor)
    assert item.kind == Kind.MENTION
    deliver_once("w1")
    assert len(smtp.to("editor@example.com")) == 1


def test_a_turned_off_kind_falls_to_the_next_that_applies(personas: Personas, take: Any) -> None:
    choose(personas.editor, Channel.OFF, Kind.MENTION)
    review.add_comment(take, "@editor hi", frame=None, author=personas.owner)
    [item] = inbox(personas.editor)
    assert item.kind == Kind.COMMENT


def test_mentions_are_notified_once_even_when_the_comment_is_saved_again(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    everyone_by_email(personas)
    comment = review.add_comment(take, "@viewer look", frame=1, author=personas.reviewer)
    deliver_once("w1")
    # An edit saves the comment again (and keeps its mentions): nobody hears twice...
    comment.body = "@viewer look again, and @owner too"
    comment.save(update_fields=["body"])
    review.Mention.objects.get_or_create(comment=comment, user=personas.owner)
    comment_saved(comment)
    comment_saved(Comment.objects.get(pk=comment.pk))
    deliver_once("w1")
    # ...and only someone it now mentions for the first time hears of it.
    assert len(smtp.to("viewer@example.com")) == 1
    assert len(smtp.to("owner@example.com")) == 1
    assert [n.kind for n in inbox(personas.viewer)] == [Kind.MENTION]
    assert [n.kind for n in inbox(personas.owner)] == [Kind.MENTION]


def test_an_approval_change_on_your_generation(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    everyone_by_email(personas)
    review.set_approval(take, "changes_requested", personas.owner, note="Warmer, please")
    [item] = inbox(personas.editor)
    assert item.kind == Kind.APPROVAL
    assert item.title.endswith("to Changes requested") and item.body == "Warmer, please"
    review.set_approval(take, "approved", personas.editor)  # their own: nothing
    assert len(inbox(personas.editor)) == 1
    deliver_once("w1")
    [mail] = smtp.to("editor@example.com")
    assert "Olive Owner set" in mail["Subject"] and "Warmer, please" in mail.get_content()


def test_a_guest_comment_and_someone_outside_the_team(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    everyone_by_email(personas)
    review.add_comment(take, "@outsider nice", frame=None, guest_name="Client")
    [item] = inbox(personas.editor)
    assert item.title.startswith("Client (guest) commented")
    assert inbox(personas.outsider) == []  # not in Northwind: never told of its work


def test_off_means_nothing_and_in_app_means_no_email(
    personas: Personas, take: Any, smtp: Mailbox
) -> None:
    choose(personas.editor, Channel.OFF)
    choose(personas.viewer, Channel.APP)
    review.add_comment(take, "@viewer see this", frame=None, author=personas.owner)
    review.set_approval(take, "approved", personas.owner)
    assert inbox(personas.editor) == []
    [item] = inbox(personas.viewer)
    assert item.channel == Channel.APP
    assert deliver_once("w1").sent == 0
    assert smtp.received == []
    assert not Delivery.objects.exists()
