"""An owner holds the team's send queue: nothing waiting is sent while it is paused."""

from __future__ import annotations

from studio.teams.models import Team


def set_queue_paused(team: Team, paused: bool) -> None:
    Team.objects.filter(pk=team.pk).update(queue_paused=paused)
    team.queue_paused = paused
