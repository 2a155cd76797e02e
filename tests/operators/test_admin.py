"""The operators' admin (/admin/): staff accounts only, read-mostly generations whose
actions go through the lifecycle, revocable tokens and engine keys, no key in clear.

Who may see what: a staff superuser ("ops") sees and acts on everything; every team role,
the outsider and anyone signed out are sent to the admin's sign-in and see nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.accounts.users import create_user
from studio.api.models import ApiToken
from studio.api.tokens import membership_for_token
from studio.engine.keys import create_key
from studio.engine.models import ApiKey
from studio.generations.models import ApiGovernor, Generation
from studio.generations.poller.claims import due
from studio.generations.routing import TEAM, Route
from studio.teams.models import Team
from tests.conftest import PASSWORD
from tests.factories import make_generation
from tests.review.conftest import World
from tests.security.test_pages import inline_code

TEAM_KEY = "luma-api-TEAMKEY-never-shown-0123456789"


@pytest.fixture
def ops(world: World) -> AbstractBaseUser:
    return create_user("ops@example.com", PASSWORD, name="Opal Ops", is_superuser=True)


def _changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def _act(client: Client, model: type, action: str, pks: list[Any]) -> Any:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": action, "_selected_action": [str(pk) for pk in pks]}
    return client.post(url, data, follow=True)


def test_the_models_an_operator_looks_after_are_registered() -> None:
    registered = {m._meta.label for m in admin.site._registry}
    wanted = {
        "teams.Team",
        "teams.Membership",
        "generations.Generation",
        "api.ApiToken",
        "engine.ApiKey",
    }
    assert wanted <= registered


def test_staff_see_the_index_and_every_changelist(client: Client, ops: Any) -> None:
    client.force_login(ops)
    assert client.get(reverse("admin:index")).status_code == 200
    for url in _changelists():
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer", "outsider", None])
def test_team_roles_are_not_operators(client: Client, world: World, role: str | None) -> None:
    if role:
        client.force_login(getattr(world.p, role))
    login = reverse("admin:login")
    for url in [reverse("admin:index"), *_changelists()]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    change = reverse("admin:generations_generation_change", args=[world.take.id])
    assert client.get(change).status_code == 302
    # An action posted by a team member changes nothing.
    before = world.snapshot()
    Generation.objects.filter(pk=world.take.pk).update(state="uncertain")
    _act(client, Generation, "mark_dropped", [world.take.pk])
    assert Generation.objects.get(pk=world.take.pk).state == "uncertain"
    Generation.objects.filter(pk=world.take.pk).update(state="completed")
    assert world.snapshot() == before


def test_a_generation_is_shown_but_not_edited(client: Client, world: World, ops: Any) -> None:
    client.force_login(ops)
    url = reverse("admin:generations_generation_change", args=[world.take.id])
    response = client.get(url)
    assert response.status_code == 200
    assert world.take.prompt.encode() in response.content
    assert b'name="prompt"' not in response.content  # shown, not a field
    assert b'name="state"' not in response.content
    # No adding or deleting generations: the trash and the lifecycle do that.
    assert client.get(reverse("admin:generations_generation_add")).status_code == 403
    delete = reverse("admin:generations_generation_delete", args=[world.take.id])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Generation.objects.filter(pk=world.take.pk).exists()


def test_poll_again_now(client: Client, world: World, ops: Any) -> None:
    later = timezone.now() + dt.timedelta(hours=1)
    waiting = make_generation(world.p.team, world.p.editor, state="processing")
    Generation.objects.filter(pk=waiting.pk).update(next_poll_at=later, poll_failures=7)
    # Completed and downloaded: the poller has nothing to do with it.
    Generation.objects.filter(pk=world.take.pk).update(next_poll_at=None)
    assert waiting.pk not in {g.pk for g in due(timezone.now())}
    client.force_login(ops)
    response = _act(client, Generation, "poll_again_now", [waiting.pk, world.take.pk])
    assert b"1 of 2 will be polled" in response.content
    assert waiting.pk in {g.pk for g in due(timezone.now())}
    row = Generation.objects.get(pk=waiting.pk)
    assert row.next_poll_at <= timezone.now() and row.state == "processing"
    assert Generation.objects.get(pk=world.take.pk).next_poll_at is None


def test_mark_dropped_goes_through_the_lifecycle(client: Client, world: World, ops: Any) -> None:
    uncertain = make_generation(world.p.team, world.p.editor, state="uncertain")
    client.force_login(ops)
    response = _act(client, Generation, "mark_dropped", [uncertain.pk, world.take.pk])
    assert b"Dropped 1 of 2" in response.content
    uncertain.refresh_from_db()
    assert uncertain.state == "dropped" and uncertain.finished_at is not None
    assert uncertain.events.filter(kind="dropped").exists()
    # A finished generation is not an uncertain submission: left as it was.
    assert Generation.objects.get(pk=world.take.pk).state == "completed"


def test_revoking_a_token(client: Client, world: World, ops: Any) -> None:
    raw = world.tokens["viewer"]
    assert membership_for_token(raw) is not None
    token = ApiToken.objects.get(user=world.p.viewer)
    client.force_login(ops)
    response = _act(client, ApiToken, "revoke_tokens", [token.pk])
    assert b"Revoked 1 token" in response.content
    assert membership_for_token(raw) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_revoking_an_engine_key(client: Client, world: World, ops: Any) -> None:
    key, _secret = create_key("render farm")
    client.force_login(ops)
    response = _act(client, ApiKey, "revoke_keys", [key.pk])
    assert b"Revoked 1 key" in response.content
    key.refresh_from_db()
    assert key.state == "revoked"
    assert client.get(reverse("admin:engine_apikey_add")).status_code == 403


def test_editing_a_team_keeps_its_key(client: Client, world: World, ops: Any) -> None:
    Team.objects.filter(pk=world.p.team.pk).update(api_key=TEAM_KEY)
    client.force_login(ops)
    url = reverse("admin:teams_team_change", args=[world.p.team.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "name": "Northwind Films",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            # A forged field the form does not have is ignored.
            "api_key": "stolen",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    team = Team.objects.get(pk=world.p.team.pk)
    assert team.name == "Northwind Films" and team.api_key == TEAM_KEY


def test_no_key_in_clear_on_any_admin_page(client: Client, world: World, ops: Any) -> None:
    Team.objects.filter(pk=world.p.team.pk).update(
        api_key=TEAM_KEY, api_base_url="https://api.example.com/v1"
    )
    engine_key, engine_secret = create_key("farm")
    token = ApiToken.objects.get(user=world.p.editor, name="CI")
    route = Route("https://api.example.com/v1", TEAM, TEAM_KEY)
    governor = ApiGovernor.objects.create(fingerprint=route.fingerprint, base_url=route.base_url)
    secrets = [
        route.fingerprint,
        TEAM_KEY,
        engine_secret,
        engine_key.secret_hash,
        *world.tokens.values(),
        *ApiToken.objects.values_list("token_hash", flat=True),
        world.p.owner.password,  # Django shows the hash's algorithm, never the hash
    ]
    client.force_login(ops)
    pages = [reverse("admin:index"), *_changelists()]
    pages += [
        reverse("admin:teams_team_change", args=[world.p.team.pk]),
        reverse("admin:api_apitoken_change", args=[token.pk]),
        reverse("admin:engine_apikey_change", args=[engine_key.pk]),
        reverse("admin:generations_generation_change", args=[world.take.id]),
        reverse("admin:teams_membership_change", args=[world.editor_membership.pk]),
        reverse("admin:auth_user_change", args=[world.p.owner.pk]),
        reverse("admin:generations_apigovernor_change", args=[governor.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in secrets:
            assert secret not in html, (url, secret[:12])
    # The prefixes, which tell keys apart, are shown.
    assert token.prefix in client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert (
        engine_key.prefix in client.get(reverse("admin:engine_apikey_changelist")).content.decode()
    )


def test_admin_pages_keep_the_strict_policy(client: Client, world: World, ops: Any) -> None:
    client.force_login(ops)
    pages = [
        reverse("admin:index"),
        reverse("admin:generations_generation_changelist"),
        reverse("admin:generations_generation_change", args=[world.take.id]),
        reverse("admin:teams_team_change", args=[world.p.team.pk]),
    ]
    for url in pages:
        response = client.get(url)
        header = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in header and "'unsafe-inline'" not in header
        assert inline_code(response.content.decode()) == [], url
    client.logout()
    signin = client.get(reverse("admin:login"))
    assert inline_code(signin.content.decode()) == []


def test_malformed_filters_and_selections_are_a_400(client: Client, world: World, ops: Any) -> None:
    client.force_login(ops)
    tokens = reverse("admin:api_apitoken_changelist")
    # Any lookup on a field would reach the database; only the list's own filters may.
    assert client.get(f"{tokens}?created_at__year=-1").status_code == 400
    assert client.get(f"{tokens}?revoked_at__isempty=1").status_code == 200
    generations = reverse("admin:generations_generation_changelist")
    assert client.get(f"{generations}?state__exact=completed").status_code == 200
    for bad in ("not-a-uuid", "9" * 5000):
        data = {"action": "poll_again_now", "_selected_action": [str(world.take.id), bad]}
        response = client.post(generations, data)
        assert response.status_code == 400
        assert b"cannot exist" in response.content
    data = {"action": "revoke_tokens", "_selected_action": ["9223372036854775808"]}
    assert client.post(tokens, data).status_code == 400
