"""Generations in the operators' admin: read-mostly. Their states change only through
the lifecycle, so the actions here call it: "poll again now" brings the next poller pass
to a row now (whatever its backoff), "mark dropped" drops an uncertain submission as its
author could."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from studio.generations import lifecycle
from studio.generations.models import ApiGovernor, Generation, Output, ProgressEvent
from studio.generations.poller.claims import poll_now
from studio.operators import OperatorAdmin, ReadMostly, ReadOnlyInline


class OutputInline(ReadOnlyInline):
    model = Output
    fields = ("kind", "file", "size_bytes", "width", "height", "codec", "hdr", "created_at")


class EventInline(ReadOnlyInline):
    model = ProgressEvent
    fields = ("at", "kind", "state", "detail")


@admin.register(Generation)
class GenerationAdmin(ReadMostly):
    list_display = ("id", "team", "author", "action", "state", "price", "created_at")
    list_filter = ("state", "action", "kind", "resolution", "hdr")
    search_fields = ("=id", "=remote_id", "prompt", "team__name", "author__email")
    list_select_related = ("team", "author")
    inlines = (OutputInline, EventInline)
    actions = ("poll_again_now", "mark_dropped")

    @admin.action(description="Poll again now", permissions=["change"])
    def poll_again_now(self, request: HttpRequest, generations: QuerySet[Generation]) -> None:
        chosen = generations.count()
        count = poll_now(generations)
        self.message_user(request, f"{count} of {chosen} will be polled on the next pass.")
        if count < chosen:
            self.message_user(
                request,
                f"{chosen - count} have nothing left to poll (not sent, finished, or "
                "already downloaded).",
                messages.WARNING,
            )

    @admin.action(description="Mark dropped (uncertain submissions only)", permissions=["change"])
    def mark_dropped(self, request: HttpRequest, generations: QuerySet[Generation]) -> None:
        chosen = list(generations)
        count = sum(lifecycle.drop(generation) for generation in chosen)
        self.message_user(request, f"Dropped {count} of {len(chosen)}.")
        if count < len(chosen):
            self.message_user(
                request,
                f"{len(chosen) - count} were not uncertain submissions and were left as they are.",
                messages.WARNING,
            )


@admin.register(ApiGovernor)
class ApiGovernorAdmin(OperatorAdmin):
    """The generation APIs and keys the sender meets, and its limits for each. A key is
    named by the start of its fingerprint only, as everywhere else."""

    list_display = ("base_url", "key", "max_concurrent", "max_rpm", "api_rpm", "running")
    fields = (
        "base_url",
        "key",
        "max_concurrent",
        "max_rpm",
        "api_rpm",
        "blocked_until",
        "running",
        "next_slot_at",
        "updated_at",
    )
    readonly_fields = ("base_url", "key", "api_rpm", "running", "next_slot_at", "updated_at")

    @admin.display(description="Key")
    def key(self, governor: ApiGovernor) -> str:
        return f"{governor.fingerprint[:8]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the sender for each API and key it meets
