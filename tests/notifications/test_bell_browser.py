"""The header bell in a real browser: its count and name, open, mark read, mark all read."""

from __future__ import annotations

from typing import Any

import pytest

from studio.review import services as review
from tests.conftest import Personas, sign_in
from tests.factories import make_generation


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_bell(page: Any, live_server: Any, personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="A lighthouse at dusk")
    for n in range(3):
        review.add_comment(take, f"Note {n} @editor", frame=n, author=personas.reviewer)
    sign_in(page, live_server.url, personas.editor)

    bell = page.get_by_role("link", name="Notifications, 3 unread")
    assert bell.is_visible()
    assert bell.locator("[data-bell-count]").inner_text() == "3"

    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.locator("li.notification.unread").count() == 3

    # Mark one read: the bell says 2.
    page.get_by_role("button", name="Mark read: Rita Reviewer mentioned you").first.click()
    page.get_by_role("link", name="Notifications, 2 unread").wait_for()
    assert page.locator("li.notification.unread").count() == 2

    # Open one: it is read, and the page shows its comment.
    page.locator("li.notification.unread .notification-open button").first.click()
    page.wait_for_url(f"{live_server.url}/g/{take.id}/**")
    assert page.get_by_role("link", name="Notifications, 1 unread").is_visible()

    page.get_by_role("link", name="Notifications, 1 unread").click()
    page.get_by_role("button", name="Mark all read").click()
    page.get_by_role("link", name="Notifications, 0 unread").wait_for()
    assert page.locator("li.notification.unread").count() == 0
    assert page.get_by_text("All read").is_visible()
