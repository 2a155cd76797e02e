"""From a valid composer form to drafts: one per take, each priced and judged.

Recording them (and everything after) is the lifecycle's: the composer only builds.
"""

from __future__ import annotations

import copy
from typing import Any

from studio.composer.forms import ComposeForm
from studio.composer.takes import Plan, check, plan
from studio.generations.lifecycle import Draft
from studio.generations.models import Generation
from studio.teams.models import Membership


def composition_of(composition: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The composition of one take: the form's, with what the take varies."""
    video = body.get("video") or {}
    out = dict(composition)
    out["prompt"] = body.get("prompt", out.get("prompt"))
    out["aspect_ratio"] = body.get("aspect_ratio", "")
    out["resolution"] = video.get("resolution", out.get("resolution"))
    if "duration" in video:
        out["duration"] = video["duration"]
    strength = (video.get("edit") or {}).get("strength")
    if strength:
        out["strength"] = strength
    return out


def drafts_for(
    form: ComposeForm, membership: Membership, action: str, parent: Generation | None
) -> tuple[list[Draft], Plan]:
    """One draft per take of a valid form; raises TakeProblem for a refused batch."""
    assert form.body is not None
    batch = plan(form.body, **form.batch_options())
    prices = check(batch.bodies, form.source_seconds)
    composition = form.composition()
    drafts = [
        Draft(
            membership=membership,
            action=action,
            body=body,
            composition=composition_of(composition, body),
            price=price.amount,
            price_estimated=price.estimated,
            parent=parent,
        )
        for body, price in zip(batch.bodies, prices, strict=True)
    ]
    return drafts, batch


def retry_draft(failed: Generation, membership: Membership) -> Draft:
    """A new generation asking exactly what ``failed`` asked, linked to it as a remix."""
    body = failed.composition.get("_body") or failed.request
    body = {**copy.deepcopy(body), "user_id": str(membership.api_user_id)}
    composition = {k: v for k, v in failed.composition.items() if k != "_body"}
    return Draft(
        membership=membership,
        action=Generation.Action.REMIX,
        body=body,
        composition=composition,
        price=failed.price,
        price_estimated=failed.price_estimated,
        parent=failed,
    )
