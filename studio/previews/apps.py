from __future__ import annotations

from django.apps import AppConfig


class PreviewsConfig(AppConfig):
    name = "studio.previews"
    label = "previews"

    def ready(self) -> None:
        from django.conf import settings

        if not settings.ENGINE_ENABLED:
            return
        # Previews render on the local engine's workers, taking turns with generations.
        from studio.engine import turns
        from studio.previews import worker

        turns.register(
            turns.Turn(
                "previews",
                step=lambda owner, stop: worker.process_one(owner, stop=stop),
                sweep=worker.sweep,
            )
        )
