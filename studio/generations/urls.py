from __future__ import annotations

from django.urls import path

from studio.generations import views

app_name = "generations"

urlpatterns = [
    path("g/<uuid:generation_id>/", views.detail, name="detail"),
    path("files/<path:name>", views.media_file, name="media"),
]
