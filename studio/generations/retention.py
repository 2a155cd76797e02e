"""Retention rules: per team, off by default, they move old generations to the trash.

- ``failed``: failed, refused and dropped generations, N days after they ended.
- ``unapproved``: generations older than N days that nobody approved or picked.

A rule's candidates are one query, so the team page can say before a rule is turned on
how many generations it would trash today, and the worker trashes exactly those.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from studio.generations.models import Generation
from studio.generations.trash import TRASHABLE, TrashRefused, trash
from studio.teams.models import MAX_RETENTION_DAYS, Team

State = Generation.State
FAILED_STATES = (State.FAILED, State.REFUSED, State.DROPPED)
MAX_DAYS = MAX_RETENTION_DAYS
RULES = {
    "failed": "Failed, refused and dropped generations",
    "unapproved": "Generations nobody approved or picked",
}


def candidates(
    team: Team, rule: str, days: int, now: dt.datetime | None = None
) -> QuerySet[Generation]:
    """What ``rule`` with ``days`` would move to the trash now."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    rows = Generation.objects.live().filter(team=team, state__in=TRASHABLE)
    if rule == "failed":
        ended_before = Q(finished_at__lt=cutoff) | Q(
            finished_at__isnull=True, created_at__lt=cutoff
        )
        return rows.filter(ended_before, state__in=FAILED_STATES)
    if rule == "unapproved":
        return rows.filter(created_at__lt=cutoff, picked=False).exclude(
            approval=Generation.Approval.APPROVED
        )
    raise ValueError(rule)


def rules_of(team: Team) -> dict[str, int | None]:
    return {"failed": team.retention_failed_days, "unapproved": team.retention_unapproved_days}


def would_trash(
    team: Team, days: dict[str, int | None], now: dt.datetime | None = None
) -> dict[str, int]:
    """How many generations each rule would trash today with these days (0 when unset)."""
    return {
        rule: candidates(team, rule, n, now).count() if n is not None else 0
        for rule, n in days.items()
    }


def apply(now: dt.datetime | None = None) -> int:
    """Run every team's rules once; returns how many generations went to the trash."""
    moved = 0
    teams = Team.objects.filter(
        Q(retention_failed_days__isnull=False) | Q(retention_unapproved_days__isnull=False)
    )
    for team in teams:
        for rule, days in rules_of(team).items():
            if days is None:
                continue
            for generation in candidates(team, rule, days, now).iterator():
                try:
                    trash(
                        generation,
                        None,
                        detail=f"by the retention rule: {RULES[rule].lower()}, after {days} days",
                    )
                except TrashRefused:
                    continue  # a person trashed it (or it changed) meanwhile
                moved += 1
    return moved
