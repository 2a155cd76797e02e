from __future__ import annotations

from django.urls import path

from studio.teams import views

app_name = "teams"

urlpatterns = [
    path("switch/", views.switch_team, name="switch"),
]
