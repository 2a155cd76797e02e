"""API tokens in the operators' admin: who holds which (by prefix), when last used, and a
revoke action. A token is shown once to its person and only its hash is stored; the hash
is not shown here either (the prefix tells tokens apart)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from studio.api.models import ApiToken
from studio.api.tokens import revoke
from studio.operators import ReadMostly


@admin.register(ApiToken)
class ApiTokenAdmin(ReadMostly):
    list_display = ("name", "prefix", "user", "team", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "name", "user__email", "team__name")
    list_select_related = ("user", "team")
    hidden = ("token_hash",)
    actions = ("revoke_tokens",)

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, tokens: QuerySet[ApiToken]) -> None:
        count = sum(revoke(token) for token in tokens)
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
