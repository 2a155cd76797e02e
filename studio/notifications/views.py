"""The inbox (open, mark read, mark all read), the bell's count and the preferences page.

Notifications are personal: each is reached only by its recipient (anyone else gets a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.contract.parsing import parse_id
from studio.http import AuthedRequest
from studio.notifications import services
from studio.notifications.forms import PreferencesForm
from studio.notifications.models import Notification

INBOX_SIZE = 100


def _get_notification_for(request: AuthedRequest, notification_id: object) -> Notification:
    ident = parse_id(notification_id)
    found = (
        Notification.objects.filter(pk=ident, recipient=request.user).first()
        if ident is not None
        else None
    )
    if found is None:
        raise Http404("No such notification")
    return found


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    items = list(
        Notification.objects.filter(recipient=request.user).select_related("actor")[:INBOX_SIZE]
    )
    return render(
        request,
        "notifications/inbox.html",
        {"items": items, "unread": services.unread_count(request.user.pk)},
    )


@login_required
@require_GET
def count(request: AuthedRequest) -> JsonResponse:
    return JsonResponse({"unread": services.unread_count(request.user.pk)})


@login_required
@require_POST
def open_item(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go to what it is about."""
    item = _get_notification_for(request, notification_id)
    Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    if not url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect("notifications:inbox")
    return redirect(item.url)


@login_required
@require_POST
def mark_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    item = _get_notification_for(request, notification_id)
    Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(f"{reverse('notifications:inbox')}#notification-{item.pk}")


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        messages.success(request, f"Marked {marked} notification(s) read.")
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    current = services.channels_for(request.user.pk)
    if request.method == "POST":
        form = PreferencesForm(request.POST, initial_channels=current)
        if form.is_valid():
            services.save_channels(request.user.pk, form.channels())
            messages.success(request, "Saved how you hear about each kind of notification.")
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    form = PreferencesForm(initial_channels=current)
    return render(request, "notifications/preferences.html", {"form": form})
