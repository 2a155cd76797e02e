"""Every URL of the studio against every persona: who may do what (a table of expectations).

The table must name every URL in the URLconf, so a new URL cannot be forgotten here.
Rules: an outsider never sees or changes anything of Northwind (404 for a Northwind object;
their own team's page for a team-level page); a member whose role lacks the action is
refused (403 for a team-level page, 404 for an object) and nothing changes.

The JSON API (`token=True`) is called with the persona's API token instead of a session
(the outsider's acts in their own team). A URL answering two methods may have a second
row, named `"<url name> <what>"`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.review.conftest import SECRET, World

ROLES = ("owner", "editor", "reviewer", "viewer", "outsider")
MEMBERS = ("owner", "editor", "reviewer", "viewer")
OWN = "own-team"  # outsider: served their own team's page, with nothing of Northwind


@dataclass
class Case:
    method: str
    url: Callable[[World], str]
    allowed: tuple[str, ...]
    ok: tuple[int, ...]
    denied: tuple[int, ...] = (403, 404)
    outsider: tuple[int, ...] | str = (404,)
    data: Callable[[World], dict] = field(default=lambda w: {})
    token: bool = False  # the JSON API: the persona's token, a JSON body
    settings: dict = field(default_factory=dict)


def _rev(name: str, *args: object) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


take = lambda w: w.take.id  # noqa: E731
other = lambda w: w.other.id  # noqa: E731
# A studio API that is configured but never reached: composing only records.
SOME_API = {"LUMA_BASE_URL": "http://127.0.0.1:9/v1", "LUMA_AGENTS_API_KEY": "luma-api-x"}
RAY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "a paper boat",
    "video": {"resolution": "360p", "duration": "5s"},
}
media = lambda w: reverse("generations:media", args=[w.outputs["video"].file.name])  # noqa: E731

TABLE: dict[str, Case] = {
    "accounts:login": Case("get", _rev("accounts:login"), ROLES, (302,), outsider=(302,)),
    "accounts:logout": Case("post", _rev("accounts:logout"), ROLES, (302,), outsider=(302,)),
    # Everyone's own account: nothing of a team is shown.
    "accounts:password": Case("get", _rev("accounts:password"), ROLES, (200,), outsider=(200,)),
    "accounts:password_done": Case(
        "get", _rev("accounts:password_done"), ROLES, (200,), outsider=(200,)
    ),
    # API tokens are personal: everyone signed in has the page, for their own tokens only.
    "api:tokens": Case("get", _rev("api:tokens"), ROLES, (200,), outsider=(200,)),
    # The editor's token: only they may revoke it; anyone else gets a 404 and it stays.
    "api:token_revoke": Case(
        "post",
        _rev("api:token_revoke", lambda w: w.api_token.pk),
        ("editor",),
        (302,),
        denied=(404,),
    ),
    "teams:team": Case("get", _rev("teams:team"), MEMBERS, (200,), outsider=OWN),
    "teams:switch": Case(
        "post", _rev("teams:switch"), MEMBERS, (302,), data=lambda w: {"team": w.p.team.pk}
    ),
    "teams:add_member": Case(
        "post",
        _rev("teams:add_member"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"email": w.p.outsider.email, "role": "viewer"},
    ),
    "teams:member": Case(
        "post",
        _rev("teams:member", lambda w: w.editor_membership.pk),
        ("owner",),
        (302,),
        data=lambda w: {"role": "viewer", "monthly_budget": "5"},
    ),
    "teams:invite": Case(
        "post",
        _rev("teams:invite"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"role": "editor", "days": "3"},
    ),
    "teams:invite_revoke": Case(
        "post", _rev("teams:invite_revoke", lambda w: w.invite.pk), ("owner",), (302,)
    ),
    # A made-up invite token is nobody's; a real one is tested in tests/teams.
    "teams:join": Case("get", _rev("teams:join", "not-a-token"), (), (), denied=(404,)),
    "teams:budget": Case(
        "post",
        _rev("teams:budget"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"monthly_budget": "12.50"},
    ),
    "teams:api": Case(
        "post",
        _rev("teams:api"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"api_base_url": "https://api.example.com/v1", "api_key": "k" * 20},
    ),
    "generations:detail": Case("get", _rev("generations:detail", take), MEMBERS, (200,)),
    "generations:status": Case("get", _rev("generations:status", take), MEMBERS, (200,)),
    "generations:statuses": Case(
        "get",
        lambda w: f"{reverse('generations:statuses')}?ids={w.take.id}",
        MEMBERS,
        (200,),
        outsider=OWN,
    ),
    "generations:media": Case("get", media, MEMBERS, (200,)),
    "composer:compose": Case(
        "get", _rev("composer:compose"), ("owner", "editor"), (200,), outsider=OWN
    ),
    "composer:upload": Case(
        "post", _rev("composer:upload"), ("owner", "editor"), (400, 413, 415, 422), outsider=OWN
    ),
    "composer:resend": Case(
        "post", _rev("composer:resend", take), ("owner", "editor"), (200, 302, 400, 409)
    ),
    "composer:drop": Case(
        "post", _rev("composer:drop", take), ("owner", "editor"), (200, 302, 400, 409)
    ),
    "composer:retry": Case(
        "post", _rev("composer:retry", take), ("owner", "editor"), (200, 302, 400, 409)
    ),
    # The author or an owner cancels; only the author reorders their own queue.
    "composer:cancel": Case("post", _rev("composer:cancel", take), ("owner", "editor"), (302,)),
    "composer:front": Case("post", _rev("composer:front", take), ("editor",), (302,)),
    "composer:import": Case(
        "get", _rev("composer:import"), ("owner", "editor"), (200,), outsider=OWN
    ),
    "teams:queue": Case(
        "post",
        _rev("teams:queue"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"paused": "yes"},
    ),
    "review:gallery": Case("get", _rev("review:gallery"), MEMBERS, (200,), outsider=OWN),
    "review:chain": Case("get", _rev("review:chain", take), MEMBERS, (200,)),
    "review:comment": Case(
        "post",
        _rev("review:comment", take),
        ("owner", "editor", "reviewer"),
        (302,),
        data=lambda w: {"body": "Looks good", "frame": "3"},
    ),
    "review:resolve": Case(
        "post",
        _rev("review:resolve", take, lambda w: w.comment.pk),
        ("owner", "editor", "reviewer"),
        (302,),
    ),
    # world.comment is the reviewer's: its author and an owner may delete it; an editor or
    # viewer is told no (403) and it stays.
    "review:delete_comment": Case(
        "post",
        _rev("review:delete_comment", take, lambda w: w.comment.pk),
        ("owner", "reviewer"),
        (302,),
        denied=(403,),
    ),
    "review:approval": Case(
        "post",
        _rev("review:approval", take),
        ("owner", "editor", "reviewer"),
        (302,),
        data=lambda w: {"state": "approved"},
    ),
    "review:pick": Case("post", _rev("review:pick", take), ("owner", "editor"), (302,)),
    "review:compare": Case(
        "get",
        lambda w: f"{reverse('review:compare')}?g={w.take.id}&g={w.other.id}",
        MEMBERS,
        (200,),
    ),
    "review:shares": Case("get", _rev("review:shares"), ("owner", "editor"), (200,), outsider=OWN),
    "review:share_revoke": Case(
        "post", _rev("review:share_revoke", lambda w: w.share.pk), ("owner", "editor"), (302,)
    ),
    # Share links are for people outside the team: whoever holds a valid one may watch.
    "review:shared": Case(
        "get", _rev("review:shared", lambda w: w.token), ROLES, (200,), outsider=(200,)
    ),
    "review:shared_item": Case(
        "get", _rev("review:shared_item", lambda w: w.token, take), ROLES, (200,), outsider=(200,)
    ),
    "review:shared_comment": Case(
        "post",
        _rev("review:shared_comment", lambda w: w.token, take),
        ROLES,
        (302,),
        outsider=(302,),
        data=lambda w: {"name": "Client", "body": "Nice", "frame": "2"},
    ),
    "review:shared_file": Case(
        "get",
        _rev("review:shared_file", lambda w: w.token, lambda w: w.outputs["video"].pk),
        ROLES,
        (200,),
        outsider=(200,),
    ),
    # The local engine's API authenticates by API key, never by a studio session.
    "engine:generations": Case(
        "get", lambda w: "/v1/generations", (), (), denied=(401, 405), outsider=(401, 405)
    ),
    "engine:generation": Case(
        "get",
        lambda w: f"/v1/generations/{w.take.remote_id}",
        (),
        (),
        denied=(401,),
        outsider=(401,),
    ),
    "engine:files": Case("get", lambda w: "/v1/files", (), (), denied=(401,), outsider=(401,)),
    "engine:file": Case(
        "get", lambda w: "/v1/files/file_x", (), (), denied=(401,), outsider=(401,)
    ),
    "engine:file-complete": Case(
        "post", lambda w: "/v1/files/file_x/complete", (), (), denied=(401,), outsider=(401,)
    ),
    "engine:file-upload": Case(
        "put",
        lambda w: "/v1/files/file_x/upload",
        (),
        (),
        denied=(401, 403, 404),
        outsider=(401, 403, 404),
    ),
    "engine:output": Case(
        "get",
        lambda w: f"/v1/outputs/{w.take.remote_id}/video.mp4",
        (),
        (),
        denied=(401, 403, 404),
        outsider=(401, 403, 404),
    ),
    "engine:not-found": Case(
        "get", lambda w: "/v1/nothing-here", (), (), denied=(401, 404), outsider=(401, 404)
    ),
    # The studio's JSON API, by token. The document is public.
    "api:openapi": Case("get", _rev("api:openapi"), ROLES, (200,), outsider=(200,), token=True),
    "api:not_found": Case(
        "get", lambda w: "/api/v1/nothing-here", (), (), denied=(404,), token=True
    ),
    "api:generations": Case(
        "get", _rev("api:generations"), MEMBERS, (200,), outsider=OWN, token=True
    ),
    # Composing records in the token's team; the outsider's token cannot name a Northwind
    # parent (a 404, and nothing recorded).
    "api:generations compose": Case(
        "post",
        _rev("api:generations"),
        ("owner", "editor"),
        (201,),
        denied=(403,),
        data=lambda w: {"request": RAY, "takes": 2, "parent": str(w.take.id)},
        token=True,
        settings=SOME_API,
    ),
    "api:generation": Case("get", _rev("api:generation", take), MEMBERS, (200,), token=True),
    "api:generation_output": Case(
        "get", _rev("api:generation_output", take, "video"), MEMBERS, (200,), token=True
    ),
    # The owner's finished clip: an editor may not cancel it (only its author or an owner),
    # and the owner is told it is no longer waiting.
    "api:generation_cancel": Case(
        "post",
        _rev("api:generation_cancel", other),
        ("owner",),
        (409,),
        denied=(403,),
        token=True,
    ),
    # Northwind's own record: members who may compose get it back (no API call).
    "api:imports": Case(
        "post",
        _rev("api:imports"),
        ("owner", "editor"),
        (200,),
        denied=(403,),
        data=lambda w: {"remote_id": str(w.take.remote_id)},
        token=True,
    ),
}


def _names(patterns: list, namespace: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            names += _names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.append(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_the_table_names_every_url() -> None:
    assert sorted(_names(get_resolver().url_patterns)) == sorted(
        {name.partition(" ")[0] for name in TABLE}
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_who_may_do_what(client, settings, world: World, name: str, role: str) -> None:
    case = TABLE[name]
    for key, value in case.settings.items():
        setattr(settings, key, value)
    if not case.token:
        client.force_login(getattr(world.p, role))
    before = world.snapshot()
    send = getattr(client, case.method)
    if case.token:
        headers = {"Authorization": f"Bearer {world.tokens[role]}"}
        if case.method == "get":
            response = send(case.url(world), headers=headers)
        else:
            body = json.dumps(case.data(world))
            response = send(case.url(world), body, content_type="application/json", headers=headers)
    elif case.method != "get":
        response = send(case.url(world), case.data(world))
    else:
        response = send(case.url(world))
    status = response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if role == "outsider":
        if case.outsider == OWN:
            assert status in (200, 201, 302, 400, 413, 415, 422), status
        else:
            assert status in case.outsider, status
        if case.outsider in (OWN, (404,)) or name.startswith("engine:"):
            # Nothing of Northwind shown, nothing of Northwind changed.
            assert SECRET.encode() not in body
            assert str(world.take.id).encode() not in body
            assert world.snapshot() == before
    elif role in case.allowed:
        assert status in case.ok, status
    else:
        assert status in case.denied, status
        assert world.snapshot() == before
