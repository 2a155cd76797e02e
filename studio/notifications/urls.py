from __future__ import annotations

from django.urls import path

from studio.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/count.json", views.count, name="count"),
    path("notifications/<int:notification_id>/open/", views.open_item, name="open"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("accounts/notifications/", views.preferences, name="preferences"),
]
