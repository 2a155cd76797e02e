"""The local engine's API keys in the operators' admin: limits and balance editable, the
key never (it is shown once, by ``manage.py engine_key create``; only its hash is kept,
and not shown here: the prefix tells keys apart)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from studio.engine.keys import revoke
from studio.engine.models import ApiKey
from studio.operators import OperatorAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(OperatorAdmin):
    list_display = ("name", "prefix", "state", "created_at", "expires_at", "balance")
    search_fields = ("name", "prefix")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    fields = (
        "name",
        "prefix",
        "state",
        "created_at",
        "expires_at",
        "revoked_at",
        "balance",
        "rpm_limit",
        "concurrent_limit",
    )
    readonly_fields = ("prefix", "state", "created_at", "revoked_at")
    actions = ("revoke_keys",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a new key must be shown once to whoever asked: the command does it

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, keys: QuerySet[ApiKey]) -> None:
        count = revoke(keys)
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
