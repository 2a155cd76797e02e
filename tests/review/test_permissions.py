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

from studio.notifications.models import Kind, Notification
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
editors_note = lambda w: (  # noqa: E731
    Notification.objects.filter(recipient=w.p.editor).values_list("pk", flat=True).first()
)
PREVIEW_FORM = {
    "submit_token": "6b1f0c56-8a3e-4c2e-9d7a-1f2e3d4c5b6a",
    "mode": "video",
    "prompt": "a paper boat",
    "resolution": "360p",
    "duration": "5s",
    "direction": "forward",
    "controls_mode": "auto",
}


def preview(w: World, ready: bool = False) -> object:
    """The editor's own preview in Northwind (``ready``: with its MP4 on disk)."""
    from studio.previews.models import VIDEO_NAME, Preview, folder_of

    found = Preview.objects.create(
        owner=w.p.editor, team=w.p.team, request=RAY, state="ready" if ready else "queued"
    )
    if ready:
        folder_of(found.id).mkdir(parents=True)
        (folder_of(found.id) / VIDEO_NAME).write_bytes(b"\0" * 64)
    return found.id


ready_preview = lambda w: preview(w, ready=True)  # noqa: E731

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
    # Notifications are personal: everyone has their own inbox and preferences; one
    # notification (the editor's, of the world's comment mentioning them) is the editor's only.
    "notifications:inbox": Case("get", _rev("notifications:inbox"), ROLES, (200,), outsider=(200,)),
    "notifications:count": Case("get", _rev("notifications:count"), ROLES, (200,), outsider=(200,)),
    "notifications:open": Case(
        "post", _rev("notifications:open", editors_note), ("editor",), (302,), denied=(404,)
    ),
    "notifications:read": Case(
        "post", _rev("notifications:read", editors_note), ("editor",), (302,), denied=(404,)
    ),
    "notifications:read_all": Case(
        "post", _rev("notifications:read_all"), ROLES, (302,), outsider=(302,)
    ),
    "notifications:preferences": Case(
        "get", _rev("notifications:preferences"), ROLES, (200,), outsider=(200,)
    ),
    "notifications:preferences save": Case(
        "post",
        _rev("notifications:preferences"),
        ROLES,
        (302,),
        outsider=(302,),
        data=lambda w: dict.fromkeys(Kind.values, "app"),
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
    "review:generation": Case("get", _rev("review:generation", take), MEMBERS, (200,)),
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
    # Storage quota and retention rules: owners only.
    "teams:quota": Case(
        "post",
        _rev("teams:quota"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"quota_gb": "5"},
    ),
    "teams:retention": Case(
        "post",
        _rev("teams:retention"),
        ("owner",),
        (302,),
        outsider=OWN,
        data=lambda w: {"failed_days": "30", "unapproved_days": ""},
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
    # The trash: everyone sees it; the take's author (the editor) or an owner trashes and
    # restores it (restoring one not in the trash is refused with a message).
    "review:trash": Case("get", _rev("review:trash"), MEMBERS, (200,), outsider=OWN),
    "review:trash_one": Case(
        "post", _rev("review:trash_one", take), ("owner", "editor"), (302,), denied=(404,)
    ),
    "review:restore_one": Case(
        "post", _rev("review:restore_one", take), ("owner", "editor"), (302,), denied=(404,)
    ),
    "review:trash_selection": Case(
        "post",
        _rev("review:trash_selection"),
        ("owner", "editor"),
        (302,),
        denied=(403,),
        outsider=OWN,
        data=lambda w: {"action": "trash", "g": [str(w.take.id)]},
    ),
    # Version stacks: editors curate the versions; reviewers choose the current one.
    "review:stack_start": Case(
        "post", _rev("review:stack_start", take), ("owner", "editor"), (302,)
    ),
    "review:stack_add": Case(
        "post",
        _rev("review:stack_add", other),
        ("owner", "editor"),
        (302,),
        data=lambda w: {"stack": w.stack.pk},
    ),
    "review:stack_remove": Case(
        "post", _rev("review:stack_remove", take), ("owner", "editor"), (302,)
    ),
    "review:stack_current": Case(
        "post", _rev("review:stack_current", take), ("owner", "editor", "reviewer"), (302,)
    ),
    "review:compare": Case(
        "get",
        lambda w: f"{reverse('review:compare')}?g={w.take.id}&g={w.other.id}",
        MEMBERS,
        (200,),
    ),
    # A zip of a selection: every member who may watch the takes (a streamed answer), by
    # session or by API token (the outsider's token acts in their own team: a 404).
    "review:export": Case(
        "get",
        lambda w: f"{reverse('review:export')}?g={w.take.id}&g={w.other.id}",
        MEMBERS,
        (200,),
    ),
    "review:export token": Case(
        "get",
        lambda w: f"{reverse('review:export')}?chain={w.other.id}",
        MEMBERS,
        (200,),
        token=True,
    ),
    # Markers and timelines for the edit: every member, by session or by API token (the
    # outsider's token acts in their own team, where Northwind's ids are unknown).
    "review:markers": Case("get", _rev("review:markers", take, "edl"), MEMBERS, (200,)),
    "review:markers token": Case(
        "get", _rev("review:markers", take, "csv"), MEMBERS, (200,), token=True
    ),
    "review:export_timeline": Case(
        "get", lambda w: f"{reverse('review:export_timeline')}?chain={w.take.id}", MEMBERS, (200,)
    ),
    "review:export_timeline token": Case(
        "get",
        lambda w: f"{reverse('review:export_timeline')}?g={w.take.id}",
        MEMBERS,
        (200,),
        token=True,
    ),
    "review:export_animatic": Case(
        "get", lambda w: f"{reverse('review:export_animatic')}?chain={w.take.id}", MEMBERS, (200,)
    ),
    "review:export_animatic token": Case(
        "get",
        lambda w: f"{reverse('review:export_animatic')}?g={w.take.id}",
        MEMBERS,
        (200,),
        token=True,
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
    "api:generation_comments": Case(
        "get", _rev("api:generation_comments", take), MEMBERS, (200,), token=True
    ),
    # The same roles as the page's comment form; a viewer is told no and nothing is added.
    "api:generation_comments post": Case(
        "post",
        _rev("api:generation_comments", take),
        ("owner", "editor", "reviewer"),
        (201,),
        denied=(403,),
        data=lambda w: {"body": "Flicker", "frame": 3, "end_frame": 9},
        token=True,
    ),
    # The editor's take: its author or an owner; restoring one not in the trash is a 409.
    "api:generation_trash": Case(
        "post",
        _rev("api:generation_trash", take),
        ("owner", "editor"),
        (200,),
        denied=(403,),
        token=True,
    ),
    "api:generation_restore": Case(
        "post",
        _rev("api:generation_restore", take),
        ("owner", "editor"),
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
    # Previews are personal: the editor's own one in Northwind is theirs alone (404 for
    # anyone else); starting one needs the compose role, and the outsider starts one in
    # their own team.
    "api:previews": Case(
        "post",
        _rev("api:previews"),
        ("owner", "editor"),
        (202,),
        denied=(403,),
        outsider=(202,),
        data=lambda w: {"request": RAY},
        token=True,
    ),
    "api:preview": Case("get", _rev("api:preview", preview), ("editor",), (200,), token=True),
    "api:preview_video": Case(
        "get", _rev("api:preview_video", ready_preview), ("editor",), (200,), token=True
    ),
    "previews:preview": Case(
        "post",
        _rev("previews:preview"),
        ("owner", "editor"),
        (202,),
        denied=(403,),
        outsider=(202,),
        data=lambda w: PREVIEW_FORM,
    ),
    "previews:state": Case("get", _rev("previews:state", preview), ("editor",), (200,)),
    "previews:video": Case("get", _rev("previews:video", ready_preview), ("editor",), (200,)),
    # Probes for load balancers: public, and nothing of a team in them (no workers beat
    # here, so readiness is a 503). Metrics want the metrics token, never a personal one.
    "health:healthz": Case("get", _rev("health:healthz"), ROLES, (200,), outsider=(200,)),
    "health:readyz": Case("get", _rev("health:readyz"), ROLES, (200, 503), outsider=(200, 503)),
    "health:metrics": Case(
        "get",
        _rev("health:metrics"),
        (),
        (),
        denied=(401,),
        outsider=(401,),
        token=True,
        settings={"STUDIO_METRICS_TOKEN": "a metrics token of its own"},
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


# The operators' admin (Django's own, for staff accounts, never a team role) makes a
# handful of URLs per registered model: they are left out of this table, and
# tests/operators/test_admin.py checks that no persona reaches its index or any model's
# changelist, and that staff do.
OPERATORS = "admin"


def test_the_table_names_every_url() -> None:
    names = [n for n in _names(get_resolver().url_patterns) if n.partition(":")[0] != OPERATORS]
    assert sorted(names) == sorted({name.partition(" ")[0] for name in TABLE})


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
