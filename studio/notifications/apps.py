from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "studio.notifications"
    label = "notifications"

    def ready(self) -> None:
        # The apps below announce what happened; this one decides who hears of it.
        from studio.generations.signals import generation_ended
        from studio.notifications import services
        from studio.review.signals import approval_changed, comment_saved

        generation_ended.connect(services.on_generation_ended, dispatch_uid="notify-ended")
        comment_saved.connect(services.on_comment_saved, dispatch_uid="notify-comment")
        approval_changed.connect(services.on_approval_changed, dispatch_uid="notify-approval")
