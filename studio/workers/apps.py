from __future__ import annotations

from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "studio.workers"
    label = "workers"
