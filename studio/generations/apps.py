from __future__ import annotations

from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "studio.generations"
    label = "generations"
