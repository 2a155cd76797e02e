"""The inbox, the bell's count and the preferences page, as their owner and as others."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from studio.notifications.models import Channel, Kind, Notification, Preference
from studio.notifications.services import channels_for
from studio.review import services as review
from tests.conftest import Personas
from tests.factories import make_generation

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(personas: Personas) -> list[Notification]:
    """Three unread notifications of the editor's."""
    take = make_generation(personas.team, personas.editor, prompt="A lighthouse at dusk")
    for n in range(3):
        review.add_comment(take, f"Note {n}", frame=n, author=personas.owner)
    return list(Notification.objects.filter(recipient=personas.editor).order_by("id"))


def test_the_bell_counts_unread_and_names_it(client: Any, personas: Personas, items: list) -> None:
    client.force_login(personas.editor)
    page = client.get(reverse("review:gallery")).content.decode()
    assert 'aria-label="Notifications, 3 unread"' in page
    assert client.get(reverse("notifications:count")).json() == {"unread": 3}


def test_open_marks_read_and_goes_to_the_comment(
    client: Any, personas: Personas, items: list
) -> None:
    client.force_login(personas.editor)
    response = client.post(reverse("notifications:open", args=[items[0].pk]))
    assert response.status_code == 302 and response["Location"] == items[0].url
    items[0].refresh_from_db()
    assert items[0].is_read
    assert client.get(reverse("notifications:count")).json() == {"unread": 2}


def test_mark_read_and_mark_all_read(client: Any, personas: Personas, items: list) -> None:
    client.force_login(personas.editor)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.count('class="notification unread"') == 3 and "Mark all read" in page
    client.post(reverse("notifications:read", args=[items[1].pk]))
    assert client.get(reverse("notifications:count")).json() == {"unread": 2}
    client.post(reverse("notifications:read_all"))
    assert client.get(reverse("notifications:count")).json() == {"unread": 0}
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'class="notification unread"' not in page and "All read" in page


def test_someone_elses_notification_is_a_404(client: Any, personas: Personas, items: list) -> None:
    client.force_login(personas.owner)
    for name in ("notifications:open", "notifications:read"):
        assert client.post(reverse(name, args=[items[0].pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(recipient=personas.editor, read_at__isnull=True).count() == 3


def test_preferences_are_saved_per_kind(client: Any, personas: Personas) -> None:
    client.force_login(personas.viewer)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="mention"' in page and "A reply to your comment" in page
    chosen = dict.fromkeys(Kind.values, Channel.APP) | {
        Kind.MENTION: Channel.DIGEST,
        Kind.COMPLETED: Channel.OFF,
    }
    response = client.post(reverse("notifications:preferences"), chosen)
    assert response.status_code == 302
    assert channels_for(personas.viewer.pk) == chosen
    assert Preference.objects.filter(user=personas.viewer).count() == len(Kind.values)


def test_a_channel_that_does_not_exist_is_a_400(client: Any, personas: Personas) -> None:
    client.force_login(personas.viewer)
    bad = dict.fromkeys(Kind.values, Channel.APP) | {Kind.REPLY: "pigeon"}
    response = client.post(reverse("notifications:preferences"), bad)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.filter(user=personas.viewer).exists()
