"""Spend per month and per member, and the small bar chart the team page draws."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from studio.generations.budget import SPENDING_STATES, month_start
from studio.generations.models import Generation
from studio.teams.models import Team

MONTHS = 6
CENT = Decimal("0.01")
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 420, 150, 44, 20, 10


@dataclass
class Bar:
    label: str
    amount: Decimal
    x: float
    y: float
    width: float
    height: float
    over: bool


@dataclass
class Chart:
    bars: list[Bar]
    budget_y: float | None
    top: Decimal
    width: int = CHART_W
    height: int = CHART_H


def _months_back(start: dt.datetime, n: int) -> list[dt.datetime]:
    months = [start]
    for _ in range(n - 1):
        prev = (months[0] - dt.timedelta(days=1)).replace(day=1)
        months.insert(0, prev)
    return months


def monthly(team: Team, now: dt.datetime | None = None) -> list[tuple[dt.datetime, Decimal]]:
    """Spend of the last MONTHS calendar months, oldest first (months with none show 0)."""
    months = _months_back(month_start(now), MONTHS)
    rows = (
        Generation.objects.filter(team=team, state__in=SPENDING_STATES, created_at__gte=months[0])
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(total=Sum("price"))
    )
    totals = {timezone.localtime(r["month"]).date().replace(day=1): r["total"] for r in rows}
    return [(m, money(totals.get(m.date()))) for m in months]


def money(value: Decimal | float | None) -> Decimal:
    """A sum in cents (SQLite's SUM of decimals comes back with float noise)."""
    return Decimal(str(value or 0)).quantize(CENT)


def per_member(team: Team, now: dt.datetime | None = None) -> dict[int, tuple[Decimal, int]]:
    """This month's spend and generation count per author id."""
    rows = (
        Generation.objects.filter(
            team=team, state__in=SPENDING_STATES, created_at__gte=month_start(now)
        )
        .values("author_id")
        .annotate(total=Sum("price"), n=Count("id"))
    )
    return {r["author_id"]: (money(r["total"]), r["n"]) for r in rows}


def chart(months: list[tuple[dt.datetime, Decimal]], budget: Decimal | None) -> Chart:
    top = max([amount for _m, amount in months] + [budget or Decimal("0"), Decimal("1")])
    inner_w = CHART_W - PAD_L - 6
    inner_h = CHART_H - PAD_B - PAD_T
    slot = inner_w / len(months)
    bars = []
    for i, (month, amount) in enumerate(months):
        height = float(amount / top) * inner_h
        bars.append(
            Bar(
                label=month.strftime("%b"),
                amount=amount,
                x=PAD_L + i * slot + slot * 0.15,
                y=PAD_T + inner_h - height,
                width=slot * 0.7,
                height=height,
                over=budget is not None and amount > budget,
            )
        )
    budget_y = PAD_T + inner_h - float(budget / top) * inner_h if budget is not None else None
    return Chart(bars=bars, budget_y=budget_y, top=top)
