from __future__ import annotations

from django.urls import path

from studio.generations import status, views

app_name = "generations"

urlpatterns = [
    path("g/<uuid:generation_id>/status.json", status.status, name="status"),
    path("g/status.json", status.statuses, name="statuses"),
    path("files/<path:name>", views.media_file, name="media"),
]
