"""Teams and memberships in the operators' admin. A team's own API key is never shown:
owners set it on the team page, and only whether one is set is visible here."""

from __future__ import annotations

from django.contrib import admin

from studio.operators import OperatorAdmin
from studio.teams.models import Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "monthly_budget", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(OperatorAdmin):
    list_display = ("name", "slug", "created_at", "monthly_budget", "own_api", "queue_paused")
    search_fields = ("name", "slug")
    list_filter = ("queue_paused",)
    # The key itself stays out of every form and list; ``own_api`` says whether one is set.
    exclude = ("api_key",)
    readonly_fields = ("own_api", "created_at")
    inlines = (MembershipInline,)

    @admin.display(boolean=True, description="Own API key")
    def own_api(self, team: Team) -> bool:
        return bool(team.api_key)


@admin.register(Membership)
class MembershipAdmin(OperatorAdmin):
    list_display = ("user", "team", "role", "monthly_budget", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "team__name")
    list_select_related = ("user", "team")
    raw_id_fields = ("user", "team")
    readonly_fields = ("api_user_id", "created_at")
