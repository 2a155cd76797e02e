from __future__ import annotations

from django.apps import AppConfig


class PreviewsConfig(AppConfig):
    name = "studio.previews"
    label = "previews"
