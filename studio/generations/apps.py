from __future__ import annotations

from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "studio.generations"
    label = "generations"

    def ready(self) -> None:
        from studio.generations import team_page
        from studio.teams import page, signals

        # The team page shows spend, the send queue, storage and retention from here.
        page.register(team_page.context)
        signals.api_settings_changed.connect(_reroute, dispatch_uid="reroute-on-api-change")


def _reroute(sender: object, *, team_id: int, **kwargs: object) -> None:
    from studio.generations.sender import reroute

    reroute(team_id)
