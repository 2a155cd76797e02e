"""The team page's library settings: the storage quota and the retention rules.

Owners set them here; the figures every member sees (what is stored, what a rule would
trash today) come from ``studio.generations.team_page``. The Preview button saves nothing:
it opens the team page with the days typed in its query.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from studio.teams.access import require_membership
from studio.teams.forms import report_errors
from studio.teams.models import MAX_RETENTION_DAYS

GB = 1000**3
MAX_QUOTA_GB = Decimal("1000000")


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
        max_value=MAX_RETENTION_DAYS,
    )
    unapproved_days = forms.IntegerField(
        label="Trash ones nobody approved or picked after (days)",
        required=False,
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
    )


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
        report_errors(request, form, labelled=False)
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
        report_errors(request, form, labelled=False)
    return redirect(f"{reverse('teams:team')}#retention")
