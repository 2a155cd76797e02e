from __future__ import annotations

from django.contrib import admin

from studio.workers.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("role", "instance", "started_at", "beat_at")
    list_filter = ("role",)
    readonly_fields = ("role", "instance", "started_at", "beat_at", "stats")
