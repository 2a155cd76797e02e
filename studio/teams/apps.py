from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "studio.teams"
    label = "teams"
