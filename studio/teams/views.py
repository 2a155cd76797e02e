from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from studio.accounts import throttle
from studio.accounts.users import create_user
from studio.contract.parsing import parse_id
from studio.http import AuthedRequest
from studio.teams import page, signals
from studio.teams.access import SESSION_KEY, require_membership
from studio.teams.forms import (
    AddMemberForm,
    ApiSettingsForm,
    InviteForm,
    MemberForm,
    SignUpForm,
    TeamBudgetForm,
    email_taken,
    report_errors,
)
from studio.teams.invites import InviteGone, accept
from studio.teams.models import MAX_INVITE_USES, Invite, Membership, Role, Team
from studio.teams.queue import set_queue_paused


@login_required
@require_POST
def switch_team(request: AuthedRequest) -> HttpResponse:
    team_id = parse_id(request.POST.get("team", ""))
    if (
        team_id is None
        or not Membership.objects.filter(user=request.user, team_id=team_id).exists()
    ):
        raise Http404("No such team")
    request.session[SESSION_KEY] = team_id
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


def masked_key(key: str) -> str:
    """Enough of a key to recognise it, never enough to use it."""
    if not key:
        return ""
    return f"••••••••{key[-4:]}" if len(key) >= 12 else "••••••••"


def _invite_url(request: HttpRequest, invite: Invite) -> str:
    return request.build_absolute_uri(reverse("teams:join", args=[invite.token]))


@dataclass(frozen=True)
class MemberRow:
    """A member on the team page, with what they spent this month and on how many."""

    membership: Membership
    spent: Decimal
    count: int


@login_required
def team_page(request: AuthedRequest) -> HttpResponse:
    membership = require_membership(request, "view")
    team = membership.team
    # Spend, the send queue, storage and retention: from the apps above (studio.teams.page).
    usage = page.context(team, request.GET)
    this_month = usage.pop("member_spend", {})
    members = [
        MemberRow(m, *this_month.get(m.user_id, (Decimal("0.00"), 0)))
        for m in team.memberships.select_related("user").order_by("created_at", "id")
    ]
    manage = membership.can("manage")
    invites = []
    if manage:
        invites = [
            {"invite": i, "url": _invite_url(request, i)}
            for i in team.invites.usable().select_related("created_by").order_by("-created_at")
        ]
    context = {
        "members": members,
        "manage": manage,
        "roles": Role.choices,
        "invites": invites,
        "invite_form": InviteForm(),
        "invite_max_uses": MAX_INVITE_USES,
        "add_form": AddMemberForm(),
        "budget_form": TeamBudgetForm(initial={"monthly_budget": team.monthly_budget}),
        "api_form": ApiSettingsForm(
            initial={
                "api_base_url": team.api_base_url,
                "api_max_concurrent": team.api_max_concurrent,
                "api_max_rpm": team.api_max_rpm,
            }
        ),
        "masked_key": masked_key(team.api_key),
        "default_limits": (settings.LUMA_MAX_CONCURRENT, settings.LUMA_MAX_RPM),
        **usage,
    }
    return render(request, "teams/team.html", context)


def _owners_left(team: Team, without: Membership) -> int:
    return team.memberships.filter(role=Role.OWNER).exclude(pk=without.pk).count()


@login_required
@require_POST
def member(request: AuthedRequest, member_id: int) -> HttpResponse:
    membership = require_membership(request, "manage")
    with transaction.atomic():
        target = (
            Membership.objects.select_for_update()
            .filter(pk=member_id, team=membership.team)
            .first()
        )
        if target is None:
            raise Http404("No such member")
        if request.POST.get("remove"):
            if target.role == Role.OWNER and not _owners_left(membership.team, target):
                messages.error(request, "A team needs at least one owner.")
            else:
                target.delete()
                messages.success(request, f"{target.user.email} left {membership.team.name}.")
            return redirect("teams:team")
        form = MemberForm(request.POST)
        if not form.is_valid():
            report_errors(request, form)
            return redirect("teams:team")
        role = form.cleaned_data["role"]
        if (
            target.role == Role.OWNER
            and role != Role.OWNER
            and not _owners_left(membership.team, target)
        ):
            messages.error(request, "A team needs at least one owner.")
            return redirect("teams:team")
        target.role = role
        target.monthly_budget = form.cleaned_data["monthly_budget"]
        target.save(update_fields=["role", "monthly_budget"])
    messages.success(request, f"Saved {target.user.email}.")
    return redirect("teams:team")


@login_required
@require_POST
def add_member(request: AuthedRequest) -> HttpResponse:
    membership = require_membership(request, "manage")
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect("teams:team")
    _m, created = Membership.objects.get_or_create(
        team=membership.team, user=form.user, defaults={"role": form.cleaned_data["role"]}
    )
    if created:
        messages.success(request, f"Added {form.user.email}.")
    else:
        messages.error(request, f"{form.user.email} is already in {membership.team.name}.")
    return redirect("teams:team")


@login_required
@require_POST
def invite(request: AuthedRequest) -> HttpResponse:
    membership = require_membership(request, "manage")
    form = InviteForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect("teams:team")
    Invite.objects.create(
        team=membership.team,
        role=form.cleaned_data["role"],
        max_uses=form.cleaned_data["uses"],
        created_by=request.user,
        expires_at=timezone.now() + dt.timedelta(days=form.cleaned_data["days"]),
    )
    messages.success(request, "Invite link created: copy it from the list and send it.")
    return redirect(f"{reverse('teams:team')}#invites")


@login_required
@require_POST
def invite_revoke(request: AuthedRequest, invite_id: int) -> HttpResponse:
    membership = require_membership(request, "manage")
    updated = Invite.objects.filter(
        pk=invite_id, team=membership.team, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise Http404("No such invite")
    messages.success(request, "The invite link no longer works.")
    return redirect(f"{reverse('teams:team')}#invites")


def _sign_in_url(invite: Invite) -> str:
    back = reverse("teams:join", args=[invite.token])
    return f"{reverse('accounts:login')}?{urlencode({'next': back})}"


def _invite_gone(request: HttpRequest, invite: Invite) -> HttpResponse:
    return render(request, "teams/invite_gone.html", {"invite": invite}, status=410)


def join(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invite: signed in, confirm and join; otherwise sign in or create an account."""
    found = Invite.objects.select_related("team").filter(token=token).first()
    if found is None:
        raise Http404("No such invite")
    if not found.is_usable():
        return _invite_gone(request, found)
    if not request.user.is_authenticated:
        return _join_as_newcomer(request, found)
    existing = Membership.objects.filter(team=found.team, user=request.user).first()
    if request.method == "POST":
        try:
            _membership, joined = accept(found, request.user)
        except InviteGone as gone:
            return _invite_gone(request, gone.invite)
        if joined:
            messages.success(request, f"Welcome to {found.team.name}.")
        request.session[SESSION_KEY] = found.team_id
        return redirect("review:gallery")
    return render(request, "teams/join.html", {"invite": found, "existing": existing})


# The backend that checks passwords (the throttle before it signs nobody in).
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The one answer for an email whose account this password does not open: the same words
# whoever's email it is, and no claim that an account exists.
NOT_MADE = (
    "No account could be made or opened with this email and password. "
    "If you already have an account, enter its password or sign in."
)


def _join_as_newcomer(request: HttpRequest, invite: Invite) -> HttpResponse:
    """Create an account and join, or, for an email with an account, join as its owner.

    Which one is decided by the credentials, never by a question the page answers: a free
    email gets a new account; a taken one joins only with that account's password,
    checked (and throttled) like a sign-in.
    """
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # Account, membership and sign-in stand or fall together: no account without
            # its team when the invite stops working meanwhile.
            with transaction.atomic():
                user = _new_or_own_account(request, data)
                if user is not None:
                    accept(invite, user)
                    login(request, user, backend=PASSWORD_BACKEND)
        except InviteGone as gone:
            return _invite_gone(request, gone.invite)
        if user is not None:
            request.session[SESSION_KEY] = invite.team_id
            # An account that existed keeps its own name; the one typed here is not stored.
            name = user.get_full_name() or data["name"]
            messages.success(request, f"Welcome to {invite.team.name}, {name}.")
            return redirect("review:gallery")
        locked = throttle.is_locked_out(request)
        form.add_error(None, throttle.lockout_message() if locked else NOT_MADE)
    context = {"invite": invite, "form": form, "sign_in_url": _sign_in_url(invite)}
    return render(request, "teams/join.html", context)


def _new_or_own_account(request: HttpRequest, data: dict[str, str]) -> User | None:
    """A new account for a free email; for a taken one, that account if the password opens it."""
    email, password = data["email"], data["password1"]
    if not email_taken(email):
        try:
            with transaction.atomic():
                return create_user(email, password, name=data["name"])
        except IntegrityError:
            # Only a sign-up with the same email finishing first is the person's to fix.
            if not email_taken(email):
                raise
    # A password tried against an existing account counts like a failed sign-in.
    return authenticate(request, username=email, password=password)


@login_required
@require_POST
def budget(request: AuthedRequest) -> HttpResponse:
    membership = require_membership(request, "manage")
    form = TeamBudgetForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect(f"{reverse('teams:team')}#budgets")
    team = membership.team
    team.monthly_budget = form.cleaned_data["monthly_budget"]
    team.save(update_fields=["monthly_budget"])
    messages.success(request, "Team budget saved.")
    return redirect(f"{reverse('teams:team')}#budgets")


@login_required
@require_POST
def api_settings(request: AuthedRequest) -> HttpResponse:
    membership = require_membership(request, "manage")
    form = ApiSettingsForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect(f"{reverse('teams:team')}#api")
    team = membership.team
    team.api_base_url = form.cleaned_data["api_base_url"].rstrip("/")
    if form.cleaned_data["clear_key"]:
        team.api_key = ""
    elif form.cleaned_data["api_key"]:
        team.api_key = form.cleaned_data["api_key"].strip()
    team.api_max_concurrent = form.cleaned_data["api_max_concurrent"]
    team.api_max_rpm = form.cleaned_data["api_max_rpm"]
    team.save(update_fields=["api_base_url", "api_key", "api_max_concurrent", "api_max_rpm"])
    # What waits unsent follows the team's API from now on; what was sent stays with its own.
    signals.api_settings_changed.send(Team, team_id=team.id)
    messages.success(request, "API settings saved.")
    return redirect(f"{reverse('teams:team')}#api")


@login_required
@require_POST
def queue(request: AuthedRequest) -> HttpResponse:
    """An owner pauses or resumes the team's send queue."""
    membership = require_membership(request, "manage")
    paused = request.POST.get("paused") == "yes"
    set_queue_paused(membership.team, paused)
    messages.success(
        request,
        "The send queue is paused: nothing waiting is sent until it is resumed."
        if paused
        else "The send queue is running again.",
    )
    return redirect(f"{reverse('teams:team')}#queue")
