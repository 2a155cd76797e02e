from __future__ import annotations

from django.urls import path

from studio.teams import library, views

app_name = "teams"

urlpatterns = [
    path("", views.team_page, name="team"),
    path("switch/", views.switch_team, name="switch"),
    path("members/add/", views.add_member, name="add_member"),
    path("members/<int:member_id>/", views.member, name="member"),
    path("invites/", views.invite, name="invite"),
    path("invites/<int:invite_id>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("join/<str:token>/", views.join, name="join"),
    path("budget/", views.budget, name="budget"),
    path("api/", views.api_settings, name="api"),
    path("queue/", views.queue, name="queue"),
    path("storage/quota/", library.quota, name="quota"),
    path("retention/", library.retention_rules, name="retention"),
]
