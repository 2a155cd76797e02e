"""The team page: members and roles, invites, budgets, API settings, spend, switching."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from studio.accounts.users import create_user
from studio.teams.models import Invite, Membership, Team
from studio.teams.views import masked_key
from tests.factories import make_generation


def test_members_see_the_team_but_only_owners_manage_it(client, personas) -> None:
    client.force_login(personas.viewer)
    html = client.get(reverse("teams:team")).content.decode()
    assert "Eddie Editor" in html and "Rita Reviewer" in html
    assert "Create invite link" not in html and "Save API settings" not in html
    client.force_login(personas.owner)
    html = client.get(reverse("teams:team")).content.decode()
    assert "Create invite link" in html and "Save API settings" in html


def test_invite_link_adds_the_person_with_the_role(client, personas) -> None:
    client.force_login(personas.owner)
    client.post(reverse("teams:invite"), {"role": "reviewer", "days": "2"})
    invite = Invite.objects.get()
    assert invite.role == "reviewer" and invite.team == personas.team
    url = reverse("teams:join", args=[invite.token])
    assert url in client.get(reverse("teams:team")).content.decode()
    newcomer = create_user("new@example.com", "pw-long-enough", name="Nia New")
    client.force_login(newcomer)
    assert "invited as <strong>reviewer</strong>" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.get(team=personas.team, user=newcomer).role == "reviewer"
    # Joining again changes nothing.
    client.post(url)
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_revoked_and_expired_invites_are_refused(client, personas) -> None:
    client.force_login(personas.owner)
    client.post(reverse("teams:invite"), {"role": "editor", "days": "1"})
    invite = Invite.objects.get()
    client.post(reverse("teams:invite_revoke", args=[invite.pk]))
    newcomer = create_user("late@example.com", "pw-long-enough")
    client.force_login(newcomer)
    response = client.post(reverse("teams:join", args=[invite.token]))
    assert response.status_code == 410 and b"revoked" in response.content
    Invite.objects.filter(pk=invite.pk).update(
        revoked_at=None, expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.post(reverse("teams:join", args=[invite.token]))
    assert response.status_code == 410 and b"expired" in response.content
    assert not Membership.objects.filter(user=newcomer).exists()


def test_invite_days_are_checked(client, personas) -> None:
    client.force_login(personas.owner)
    response = client.post(reverse("teams:invite"), {"role": "editor", "days": "400"}, follow=True)
    assert "less than or equal to 30" in response.content.decode()
    assert not Invite.objects.exists()


def test_add_an_existing_account(client, personas) -> None:
    client.force_login(personas.owner)
    response = client.post(
        reverse("teams:add_member"), {"email": "nobody@example.com", "role": "viewer"}, follow=True
    )
    assert "No account uses this email" in response.content.decode()
    client.post(reverse("teams:add_member"), {"email": "OUTSIDER@example.com", "role": "viewer"})
    assert Membership.objects.get(team=personas.team, user=personas.outsider).role == "viewer"
    response = client.post(
        reverse("teams:add_member"), {"email": "outsider@example.com", "role": "owner"}, follow=True
    )
    assert "already in Northwind" in response.content.decode()
    assert Membership.objects.get(team=personas.team, user=personas.outsider).role == "viewer"


def test_roles_budgets_and_removal(client, personas) -> None:
    client.force_login(personas.owner)
    editor = Membership.objects.get(team=personas.team, user=personas.editor)
    client.post(
        reverse("teams:member", args=[editor.pk]), {"role": "reviewer", "monthly_budget": "25"}
    )
    editor.refresh_from_db()
    assert (editor.role, editor.monthly_budget) == ("reviewer", Decimal("25.00"))
    response = client.post(
        reverse("teams:member", args=[editor.pk]),
        {"role": "editor", "monthly_budget": "-1"},
        follow=True,
    )
    assert "greater than or equal to 0" in response.content.decode()
    editor.refresh_from_db()
    assert editor.role == "reviewer"
    client.post(reverse("teams:member", args=[editor.pk]), {"remove": "1"})
    assert not Membership.objects.filter(pk=editor.pk).exists()


def test_a_team_keeps_at_least_one_owner(client, personas) -> None:
    client.force_login(personas.owner)
    me = Membership.objects.get(team=personas.team, user=personas.owner)
    response = client.post(reverse("teams:member", args=[me.pk]), {"role": "viewer"}, follow=True)
    assert "at least one owner" in response.content.decode()
    response = client.post(reverse("teams:member", args=[me.pk]), {"remove": "1"}, follow=True)
    assert "at least one owner" in response.content.decode()
    me.refresh_from_db()
    assert me.role == "owner"


def test_team_budget(client, personas) -> None:
    client.force_login(personas.owner)
    client.post(reverse("teams:budget"), {"monthly_budget": "100"})
    assert Team.objects.get(pk=personas.team.pk).monthly_budget == Decimal("100.00")
    response = client.post(reverse("teams:budget"), {"monthly_budget": "lots"}, follow=True)
    assert "Enter a number" in response.content.decode()
    client.post(reverse("teams:budget"), {"monthly_budget": ""})
    assert Team.objects.get(pk=personas.team.pk).monthly_budget is None


def test_api_settings_never_show_the_key(client, personas) -> None:
    key = "sk-live-0123456789abcdefWXYZ"
    client.force_login(personas.owner)
    client.post(
        reverse("teams:api"), {"api_base_url": "https://api.example.com/v1/", "api_key": key}
    )
    team = Team.objects.get(pk=personas.team.pk)
    assert (team.api_base_url, team.api_key) == ("https://api.example.com/v1", key)
    html = client.get(reverse("teams:team")).content.decode()
    assert key not in html and key[:-4] not in html and masked_key(key) in html
    # An empty key field keeps the stored key; the checkbox removes it.
    client.post(reverse("teams:api"), {"api_base_url": "https://api.example.com/v1", "api_key": ""})
    assert Team.objects.get(pk=personas.team.pk).api_key == key
    client.post(reverse("teams:api"), {"api_base_url": "", "clear_key": "on"})
    team = Team.objects.get(pk=personas.team.pk)
    assert (team.api_base_url, team.api_key) == ("", "")
    response = client.post(reverse("teams:api"), {"api_base_url": "not a url"}, follow=True)
    assert "Enter a valid URL" in response.content.decode()


def test_spend_per_month_and_per_member(client, personas) -> None:
    now = timezone.now()
    make_generation(personas.team, personas.editor, price=Decimal("1.20"))
    make_generation(personas.team, personas.editor, price=Decimal("0.30"), state="queued")
    make_generation(personas.team, personas.owner, price=Decimal("0.90"))
    # Refunded or never sent: not spend.
    make_generation(personas.team, personas.owner, price=Decimal("9.00"), state="failed")
    make_generation(personas.team, personas.owner, price=Decimal("9.00"), state="refused")
    last_month = now.replace(day=1) - dt.timedelta(days=3)
    make_generation(personas.team, personas.owner, price=Decimal("2.40"), created_at=last_month)
    make_generation(personas.other_team, personas.outsider, price=Decimal("50.00"))
    personas.team.monthly_budget = Decimal("2.00")
    personas.team.save()
    client.force_login(personas.viewer)
    response = client.get(reverse("teams:team"))
    html = response.content.decode()
    assert "This month: <strong>$2.40</strong> of $2.00 budget" in html
    assert '$1.50 <span class="hint">(2)</span>' in html  # the editor
    assert '$0.90 <span class="hint">(1)</span>' in html  # the owner
    months = response.context["months"]
    assert len(months) == 6
    assert months[-1][1] == Decimal("2.40") and months[-2][1] == Decimal("2.40")
    assert sum(a for _m, a in months) == Decimal("4.80")
    bars = response.context["chart"].bars
    assert bars[-1].over and not bars[0].over
    assert html.count('class="bar') == 6


def test_switching_teams_changes_what_the_gallery_shows(client, personas) -> None:
    Membership.objects.create(team=personas.other_team, user=personas.editor, role="viewer")
    make_generation(personas.team, personas.editor, prompt="In Northwind")
    make_generation(personas.other_team, personas.outsider, prompt="In Elsewhere")
    client.force_login(personas.editor)
    html = client.get("/").content.decode()
    assert "In Northwind" in html and "In Elsewhere" not in html
    client.post(reverse("teams:switch"), {"team": personas.other_team.pk, "next": "/"})
    html = client.get("/").content.decode()
    assert "In Elsewhere" in html and "In Northwind" not in html
