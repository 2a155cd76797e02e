from __future__ import annotations

from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "studio.engine"
    label = "engine"
