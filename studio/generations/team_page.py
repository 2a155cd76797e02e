"""The team page's figures about the team's generations: spend, the send queue, storage
and the retention rules' counts (given to ``studio.teams.page`` from apps.py).

A rule says how many generations it would trash today before it is turned on: the page
shows the count for the days saved, or for the days typed in and previewed (the team page
with those days in its query, nothing saved).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.http import QueryDict

from studio.contract.parsing import parse_int
from studio.generations import retention, spend, storage
from studio.generations.budget import month_spend
from studio.generations.models import Generation
from studio.teams.library import GB
from studio.teams.models import Team

PREVIEW_DAYS = 30  # what a rule that is off is previewed with


def context(team: Team, query: QueryDict) -> dict[str, Any]:
    months = spend.monthly(team)
    return {
        # user id -> (spent, count) this month; members with none are left out.
        "member_spend": spend.per_member(team),
        "month_total": spend.money(month_spend(team)),
        "months": months,
        "chart": spend.chart(months, team.monthly_budget),
        "queue": _queue(team),
        **_library(team, query),
    }


def _queue(team: Team) -> list[dict[str, object]]:
    """Who has how many generations waiting to be sent (one query)."""
    rows = (
        Generation.objects.filter(team=team, state__in=Generation.UNSENT)
        .order_by()
        .values("author__email", "author__first_name", "author__last_name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [
        {
            "who": f"{r['author__first_name']} {r['author__last_name']}".strip()
            or r["author__email"],
            "n": r["n"],
        }
        for r in rows
    ]


def _preview_days(query: QueryDict, name: str, saved: int | None) -> int:
    """The days a rule is previewed with: typed in (GET), else saved, else PREVIEW_DAYS."""
    typed = parse_int(query.get(name, ""), 1, retention.MAX_DAYS)
    return typed or saved or PREVIEW_DAYS


def _library(team: Team, query: QueryDict) -> dict[str, Any]:
    """What the team page shows of storage and retention."""
    usage = storage.usage(team)
    trend = storage.trend(team)
    top = max([n for _m, n in trend] + [1])
    days: dict[str, int | None] = {
        "failed": _preview_days(query, "failed_days", team.retention_failed_days),
        "unapproved": _preview_days(query, "unapproved_days", team.retention_unapproved_days),
    }
    counts = retention.would_trash(team, days)
    saved = retention.rules_of(team)
    return {
        "storage": usage,
        "storage_total": storage.human_bytes(usage.total),
        "storage_rows": [(label, storage.human_bytes(n)) for label, n in usage.rows()],
        "storage_largest": [
            (g, storage.human_bytes(g.stored_bytes)) for g in storage.largest(team)
        ],
        "storage_trend": [
            (m.strftime("%b %Y"), storage.human_bytes(n), round(100 * n / top)) for m, n in trend
        ],
        "storage_quota": storage.human_bytes(team.storage_quota_bytes),
        "storage_over": storage.quota_problem(team),
        "quota_gb": (
            Decimal(team.storage_quota_bytes) / GB if team.storage_quota_bytes is not None else ""
        ),
        "retention_rules": [
            {
                "name": rule,
                "label": label,
                "field": f"{rule}_days",
                "saved": saved[rule],
                # What the form shows: the days being previewed, else the saved ones.
                "typed": parse_int(query.get(f"{rule}_days", ""), 1, retention.MAX_DAYS)
                or saved[rule],
                "days": days[rule],
                "would_trash": counts[rule],
            }
            for rule, label in retention.RULES.items()
        ],
    }
