"""A Northwind world to act on: two generations with real media, a comment, a share link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from studio.api.models import ApiToken
from studio.api.tokens import issue
from studio.generations import stacks
from studio.generations.models import Generation, Output, Stack
from studio.review import services
from studio.review.models import Comment, ShareLink
from studio.review.share import create_share, token_for
from studio.teams.models import Invite, Membership
from tests.conftest import Personas
from tests.factories import add_media, make_generation

# Appears only in Northwind's rows: an outsider's page must never contain it.
SECRET = "NORTHWIND-SECRET"


@dataclass
class World:
    p: Personas
    take: Generation
    other: Generation
    outputs: dict[str, Output]
    comment: Comment
    share: ShareLink
    token: str
    invite: Invite
    editor_membership: Membership
    api_token: ApiToken  # the editor's, in Northwind
    # A plain API token per persona: Northwind's members in Northwind, the outsider in
    # their own team.
    tokens: dict[str, str]
    # The take's version stack (the take is v1); the other is in no stack.
    stack: Stack | None = None

    def snapshot(self) -> dict[str, Any]:
        """Northwind's state, to prove a refused request changed nothing."""
        team = type(self.p.team).objects.get(pk=self.p.team.pk)
        return {
            "members": sorted(
                Membership.objects.filter(team=team).values_list(
                    "user_id", "role", "monthly_budget"
                )
            ),
            "team": (team.monthly_budget, team.api_base_url, team.api_key, team.queue_paused),
            "library": (
                team.storage_quota_bytes,
                team.retention_failed_days,
                team.retention_unapproved_days,
            ),
            "trash": sorted(
                Generation.objects.filter(team=team).values_list("id", "trashed_at", "purged_at")
            ),
            "generations": sorted(
                Generation.objects.filter(team=team).values_list(
                    "id", "state", "approval", "picked", "comment_count", "queue_order"
                )
            ),
            "versions": sorted(
                Generation.objects.filter(team=team, stack__isnull=False).values_list(
                    "id", "stack_id", "version"
                )
            ),
            "stacks": sorted(Stack.objects.filter(team=team).values_list("id", "current_id")),
            "comments": sorted(
                Comment.objects.filter(generation__team=team).values_list("id", "resolved_at")
            ),
            "shares": sorted(ShareLink.objects.filter(team=team).values_list("id", "revoked_at")),
            "invites": sorted(Invite.objects.filter(team=team).values_list("id", "revoked_at")),
            "api_tokens": sorted(
                ApiToken.objects.filter(team=team).values_list("id", "revoked_at")
            ),
        }


@pytest.fixture
def world(personas: Personas) -> World:
    take = make_generation(personas.team, personas.editor, prompt=f"{SECRET} greenhouse dolly")
    outputs = add_media(take, frames=24)
    other = make_generation(
        personas.team,
        personas.owner,
        prompt=f"{SECRET} orchard at dusk",
        parent=take,
        action=Generation.Action.EXTEND_FORWARD,
    )
    add_media(other, frames=24)
    comment = services.add_comment(take, "Flicker here @editor", frame=5, author=personas.reviewer)
    share = create_share(personas.team, [take.id, other.id], by=personas.owner, days=7)
    invite = Invite.objects.create(
        team=personas.team,
        role="viewer",
        created_by=personas.owner,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )
    return World(
        p=personas,
        take=take,
        other=other,
        outputs=outputs,
        comment=comment,
        share=share,
        token=token_for(share),
        invite=invite,
        editor_membership=Membership.objects.get(team=personas.team, user=personas.editor),
        api_token=issue(personas.editor, personas.team, "CI")[0],
        stack=stacks.start(take, personas.editor),
        tokens={
            role: issue(user, personas.other_team if role == "outsider" else personas.team, role)[1]
            for role, user in personas.by_role().items()
        },
    )
