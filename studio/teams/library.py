"""The team page's library sections: storage (with the optional quota) and retention rules.

Owners set the quota and the rules; every member sees the figures. A rule says how many
generations it would trash today before it is turned on: the page shows the count for the
days saved, or for the days typed in and previewed (the Preview button: the team page
with those days in its query, nothing saved).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from studio.contract.parsing import parse_int
from studio.generations import retention
from studio.teams import storage
from studio.teams.access import require_membership
from studio.teams.models import Team

GB = 1000**3
MAX_QUOTA_GB = Decimal("1000000")
PREVIEW_DAYS = 30  # what a rule that is off is previewed with


class StorageQuotaForm(forms.Form):
    quota_gb = forms.DecimalField(
        label="Storage quota (GB)",
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_QUOTA_GB,
        decimal_places=3,
        help_text="Empty for no quota.",
    )


class RetentionForm(forms.Form):
    failed_days = forms.IntegerField(
        label="Trash failed, refused and dropped ones after (days)",
        required=False,
        min_value=1,
        max_value=retention.MAX_DAYS,
    )
    unapproved_days = forms.IntegerField(
        label="Trash ones nobody approved or picked after (days)",
        required=False,
        min_value=1,
        max_value=retention.MAX_DAYS,
    )


def _preview_days(query: QueryDict, name: str, saved: int | None) -> int:
    """The days a rule is previewed with: typed in (GET), else saved, else PREVIEW_DAYS."""
    typed = parse_int(query.get(name, ""), 1, retention.MAX_DAYS)
    return typed or saved or PREVIEW_DAYS


def context(team: Team, query: QueryDict) -> dict[str, Any]:
    """What the team page shows of storage and retention."""
    usage = storage.usage(team)
    trend = storage.trend(team)
    top = max([n for _m, n in trend] + [1])
    days = {
        "failed": _preview_days(query, "failed_days", team.retention_failed_days),
        "unapproved": _preview_days(query, "unapproved_days", team.retention_unapproved_days),
    }
    counts = retention.would_trash(team, days)  # type: ignore[arg-type]
    saved = retention.rules_of(team)
    return {
        "storage": usage,
        "storage_total": storage.human_bytes(usage.total),
        "storage_rows": [(label, storage.human_bytes(n)) for label, n in usage.rows()],
        "storage_largest": [
            (g, storage.human_bytes(g.stored_bytes))  # type: ignore[attr-defined]
            for g in storage.largest(team)
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


def _errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
@require_POST
def quota(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request, "manage")
    form = StorageQuotaForm(request.POST)
    if form.is_valid():
        team = membership.team
        gb = form.cleaned_data["quota_gb"]
        team.storage_quota_bytes = int(gb * GB) if gb is not None else None
        team.save(update_fields=["storage_quota_bytes"])
        messages.success(request, "Storage quota saved.")
    else:
        _errors(request, form)
    return redirect(f"{reverse('teams:team')}#storage")


@login_required
@require_POST
def retention_rules(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request, "manage")
    form = RetentionForm(request.POST)
    if form.is_valid() and request.POST.get("preview"):
        # Nothing saved: the team page counts what the rules would trash with these days.
        days = {k: v for k, v in form.cleaned_data.items() if v is not None}
        return redirect(f"{reverse('teams:team')}?{urlencode(days)}#retention")
    if form.is_valid():
        team = membership.team
        team.retention_failed_days = form.cleaned_data["failed_days"]
        team.retention_unapproved_days = form.cleaned_data["unapproved_days"]
        team.save(update_fields=["retention_failed_days", "retention_unapproved_days"])
        messages.success(request, "Retention rules saved: they run within a few minutes.")
    else:
        _errors(request, form)
    return redirect(f"{reverse('teams:team')}#retention")
