from __future__ import annotations

from django.http import HttpRequest

from studio.notifications.services import unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    """The header bell's count of unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user.pk)}
