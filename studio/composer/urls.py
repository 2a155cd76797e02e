from __future__ import annotations

from django.urls import path

from studio.composer import views

app_name = "composer"

urlpatterns = [
    path("", views.compose, name="compose"),
    path("upload", views.upload, name="upload"),
    path("import", views.import_view, name="import"),
    path("g/<uuid:generation_id>/resend", views.resend_view, name="resend"),
    path("g/<uuid:generation_id>/drop", views.drop_view, name="drop"),
    path("g/<uuid:generation_id>/retry", views.retry_view, name="retry"),
    path("g/<uuid:generation_id>/cancel", views.cancel_view, name="cancel"),
    path("g/<uuid:generation_id>/front", views.front_view, name="front"),
]
