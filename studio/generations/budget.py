"""Monthly spend and the budget check made before every submit.

One function computes spend so the team page shows the same figure the composer
enforces.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from studio.generations.models import Generation
from studio.teams.models import Membership, Team

# Reserved (waiting to be sent), sent, and possibly charged: an uncertain submission may
# have created a paid generation. Cancelling a waiting one releases its reservation.
SPENDING_STATES = (
    *Generation.UNSENT,
    Generation.State.UNCERTAIN,
    Generation.State.QUEUED,
    Generation.State.PROCESSING,
    Generation.State.COMPLETED,
)


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_spend(team: Team, author: User | None = None, now: datetime | None = None) -> Decimal:
    """What this calendar month's sent, not failed/refused/dropped generations cost.

    With ``author`` only that person's generations in the team count.
    """
    rows = Generation.objects.filter(
        team=team, created_at__gte=month_start(now), state__in=SPENDING_STATES
    )
    if author is not None:
        rows = rows.filter(author=author)
    return rows.aggregate(total=Sum("price"))["total"] or Decimal("0.00")


def budget_problem(membership: Membership, price: Decimal, takes: int = 1) -> str | None:
    """A sentence saying which budget this price (of ``takes`` generations) would exceed."""
    what = "this generation costs" if takes == 1 else f"these {takes} takes cost"
    team = membership.team
    if team.monthly_budget is not None:
        spent = month_spend(team)
        if spent + price > team.monthly_budget:
            return (
                f"This would exceed {team.name}'s monthly budget: ${spent} of "
                f"${team.monthly_budget} spent, {what} up to ${price}."
            )
    if membership.monthly_budget is not None:
        spent = month_spend(team, membership.user)
        if spent + price > membership.monthly_budget:
            return (
                f"This would exceed your monthly budget in {team.name}: ${spent} of "
                f"${membership.monthly_budget} spent, {what} up to ${price}."
            )
    return None
