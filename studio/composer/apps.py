from __future__ import annotations

from django.apps import AppConfig


class ComposerConfig(AppConfig):
    name = "studio.composer"
    label = "composer"
