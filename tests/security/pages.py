"""Every page the studio renders, reached as someone allowed to see it.

Each entry opens one page (or one variant of a page: a generation that failed, one still
waiting, a share that was revoked) and returns the response. `test_every_page_template_is_opened`
keeps the list complete: a new page template fails it until it is added here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.accounts.users import create_user
from studio.generations import trash
from studio.generations.models import Generation
from studio.review.share import create_share, revoke, token_for
from studio.teams.models import Invite
from tests.conftest import PASSWORD
from tests.factories import make_generation
from tests.review.conftest import World


@dataclass
class Page:
    name: str
    open: Callable[[Client, World], HttpResponse]
    status: int = 200


def _get(
    persona: str | None, url: Callable[[World], str]
) -> Callable[[Client, World], HttpResponse]:
    def open_page(client: Client, world: World) -> HttpResponse:
        if persona is not None:
            client.force_login(getattr(world.p, persona))
        return client.get(url(world))

    return open_page


def _detail(state: str, **fields: object) -> Callable[[Client, World], HttpResponse]:
    """The generation page of an editor's take in `state` (no video: no player)."""

    def open_page(client: Client, world: World) -> HttpResponse:
        take = make_generation(world.p.team, world.p.editor, state=state, **fields)
        client.force_login(world.p.editor)
        return client.get(reverse("review:generation", args=[take.id]))

    return open_page


def _new_token(client: Client, world: World) -> HttpResponse:
    client.force_login(world.p.editor)
    return client.post(reverse("api:tokens"), {"name": "Pipeline", "team": world.p.team.pk})


def _share_gone(client: Client, world: World) -> HttpResponse:
    share = create_share(world.p.team, [world.take.id], by=world.p.owner, days=1)
    revoke(share, world.p.owner)
    return client.get(reverse("review:shared", args=[token_for(share)]))


def _invite_gone(client: Client, world: World) -> HttpResponse:
    Invite.objects.filter(pk=world.invite.pk).update(revoked_at=timezone.now())
    return client.get(reverse("teams:join", args=[world.invite.token]))


def _join_signed_in(client: Client, world: World) -> HttpResponse:
    client.force_login(world.p.outsider)
    return client.get(reverse("teams:join", args=[world.invite.token]))


def _no_team(client: Client, world: World) -> HttpResponse:
    client.force_login(create_user("loner@example.com", PASSWORD, name="Lone Wolf"))
    return client.get(reverse("review:gallery"))


def _csrf_refused(client: Client, world: World) -> HttpResponse:
    strict = Client(enforce_csrf_checks=True)
    return strict.post(reverse("accounts:login"), {"username": "x", "password": "y"})


def _compose_refused(client: Client, world: World) -> HttpResponse:
    client.force_login(world.p.editor)
    return client.post(reverse("composer:compose"), {"mode": "generate", "prompt": ""})


def _trashed(client: Client, world: World) -> HttpResponse:
    trash.trash(make_generation(world.p.team, world.p.editor), world.p.editor)
    client.force_login(world.p.editor)
    return client.get(reverse("review:trash"))


def _purged(client: Client, world: World) -> HttpResponse:
    """An extension of a purged generation: its lineage shows the parent as deleted."""
    parent = make_generation(world.p.team, world.p.editor)
    child = make_generation(
        world.p.team, world.p.editor, parent=parent, action=Generation.Action.EXTEND_FORWARD
    )
    trash.trash(parent, world.p.editor)
    trash.purge(parent.id)
    client.force_login(world.p.owner)
    return client.get(reverse("review:generation", args=[child.id]))


take_url = lambda name: lambda w: reverse(name, args=[w.take.id])  # noqa: E731

PAGES = [
    Page("sign-in", _get(None, lambda w: reverse("accounts:login"))),
    Page("password", _get("viewer", lambda w: reverse("accounts:password"))),
    Page("password done", _get("viewer", lambda w: reverse("accounts:password_done"))),
    Page("CSRF refusal", _csrf_refused, status=403),
    Page("API tokens", _get("editor", lambda w: reverse("api:tokens"))),
    Page("notifications", _get("editor", lambda w: reverse("notifications:inbox"))),
    Page("notifications, none", _get("viewer", lambda w: reverse("notifications:inbox"))),
    Page(
        "notification preferences",
        _get("viewer", lambda w: reverse("notifications:preferences")),
    ),
    Page("API tokens, a new one", _new_token),
    Page("gallery", _get("viewer", lambda w: reverse("review:gallery"))),
    Page("gallery, no team", _no_team),
    Page("composer", _get("editor", lambda w: reverse("composer:compose"))),
    Page(
        "composer, reframe",
        _get(
            "editor", lambda w: f"{reverse('composer:compose')}?action=reframe&source={w.take.id}"
        ),
    ),
    Page("composer, refused", _compose_refused, status=400),
    Page("import", _get("editor", lambda w: reverse("composer:import"))),
    Page("generation", _get("owner", take_url("review:generation"))),
    Page(
        "generation, extended",
        _get("owner", lambda w: reverse("review:generation", args=[w.other.id])),
    ),
    Page("generation, processing", _detail(Generation.State.PROCESSING)),
    Page("generation, waiting", _detail(Generation.State.WAITING)),
    Page("generation, uncertain", _detail(Generation.State.UNCERTAIN)),
    Page(
        "generation, failed",
        _detail(Generation.State.FAILED, failure_code="generation_failed", failure_reason="Boom"),
    ),
    Page("extend chain", _get("viewer", take_url("review:chain"))),
    Page(
        "compare",
        _get("viewer", lambda w: f"{reverse('review:compare')}?g={w.take.id}&g={w.other.id}"),
    ),
    Page("shares", _get("editor", lambda w: reverse("review:shares"))),
    Page("trash", _trashed),
    Page("generation, purged", _purged),
    Page("shared takes", _get(None, lambda w: reverse("review:shared", args=[w.token]))),
    Page(
        "shared take",
        _get(None, lambda w: reverse("review:shared_item", args=[w.token, w.take.id])),
    ),
    Page("share gone", _share_gone, status=410),
    Page("team", _get("owner", lambda w: reverse("teams:team"))),
    Page("team, as a viewer", _get("viewer", lambda w: reverse("teams:team"))),
    Page("join, newcomer", _get(None, lambda w: reverse("teams:join", args=[w.invite.token]))),
    Page("join, signed in", _join_signed_in),
    Page("invite gone", _invite_gone, status=410),
]


def page_templates() -> set[str]:
    """Every template that is a whole page: not a partial (`_name.html`), not the base."""
    root = Path(settings.BASE_DIR) / "templates"
    return {
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if not path.name.startswith("_") and path.name != "base.html"
    }
