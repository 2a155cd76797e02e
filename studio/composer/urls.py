from __future__ import annotations

from django.urls import path

from studio.composer import views

app_name = "composer"

urlpatterns = [
    path("", views.compose, name="compose"),
]
