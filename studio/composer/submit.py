"""Submitting a composition: record first, upload inputs once, send once.

The API has no idempotency key and no list of generations, so the order matters:
the Generation row (with the form's one-time token, UNIQUE) exists before any byte
leaves, the id the API returns is stored the moment it arrives, and a create whose
outcome is unknown is never resent without a person deciding to.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from studio.client import ApiError, Client, UncertainSubmission, from_settings
from studio.composer.body import ASSET_PREFIX
from studio.composer.budget import budget_problem
from studio.generations.models import Asset, Generation, ProgressEvent, RemoteFile
from studio.teams.models import Membership, Team

FIRST_POLL_AFTER = timedelta(seconds=2)
FILE_READY_TIMEOUT = 120.0
FILE_READY_INTERVAL = 0.5


class BudgetExceeded(Exception):
    """The price would take the team or the member past a monthly budget."""


class InputUploadFailed(Exception):
    """An input could not be made available to the generation API."""


@dataclass(frozen=True)
class Draft:
    """Everything needed to record a generation; ``body`` holds asset placeholders."""

    membership: Membership
    action: str
    body: dict[str, Any]
    composition: dict[str, Any]
    price: Decimal
    price_estimated: bool
    submit_token: str | None
    parent: Generation | None = None


def client_for(team: Team) -> Client:
    """The team's own generation API when an owner set one, else the studio's."""
    if team.api_base_url and team.api_key:
        return Client(team.api_base_url, team.api_key, timeout=settings.LUMA_TIMEOUT)
    return from_settings()  # type: ignore[return-value]


def api_base_url_for(team: Team) -> str:
    if team.api_base_url and team.api_key:
        return team.api_base_url.rstrip("/")
    return (settings.LUMA_BASE_URL or "").rstrip("/")


# --- Recording -----------------------------------------------------------------------


def record(draft: Draft) -> tuple[Generation, bool]:
    """Write the Generation (state submitting) unless this token already made one.

    Returns (generation, created). The budget is checked under a lock on the team so
    two simultaneous submits cannot both slip under it.
    """
    membership = draft.membership
    if draft.submit_token:
        existing = Generation.objects.filter(submit_token=draft.submit_token).first()
        if existing is not None:
            return existing, False
    body, video = draft.body, draft.body.get("video") or {}
    try:
        with transaction.atomic():
            Team.objects.select_for_update().filter(pk=membership.team_id).first()
            problem = budget_problem(membership, draft.price)
            if problem:
                raise BudgetExceeded(problem)
            generation = Generation.objects.create(
                team=membership.team,
                author=membership.user,
                kind=body["type"],
                action=draft.action,
                parent=draft.parent,
                prompt=body["prompt"],
                request=body,
                composition={**draft.composition, "_body": body},
                resolution=video.get("resolution", "720p"),
                duration=video.get("duration", "5s"),
                aspect_ratio=body.get("aspect_ratio", ""),
                hdr=bool(video.get("hdr")),
                exr_export=bool(video.get("exr_export")),
                loop=bool(video.get("loop")),
                price=draft.price,
                price_estimated=draft.price_estimated,
                api_base_url=api_base_url_for(membership.team),
                submit_token=draft.submit_token,
                state=Generation.State.SUBMITTING,
            )
            ProgressEvent.objects.create(generation=generation, kind="recorded", state="submitting")
    except IntegrityError:
        # The same token won a race a moment ago (a double click): that one stands.
        if draft.submit_token:
            existing = Generation.objects.filter(submit_token=draft.submit_token).first()
            if existing is not None:
                return existing, False
        raise
    return generation, True


# --- Inputs through the Files API -----------------------------------------------------


def _walk_refs(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    video = body.get("video") or {}
    edit = video.get("edit") or {}
    for ref in (body.get("source"), video.get("start_frame"), video.get("end_frame")):
        if ref is not None:
            yield ref
    yield from video.get("keyframes") or []
    yield from edit.get("keyframes") or []


def placeholder_assets(body: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    for ref in _walk_refs(body):
        file_id = ref.get("file_id") or ""
        if file_id.startswith(ASSET_PREFIX):
            asset_id = int(file_id.removeprefix(ASSET_PREFIX))
            if asset_id not in ids:
                ids.append(asset_id)
    return ids


def with_file_ids(body: dict[str, Any], file_ids: dict[int, str]) -> dict[str, Any]:
    """A copy of ``body`` with every asset placeholder replaced by its file id."""
    out = copy.deepcopy(body)
    for ref in _walk_refs(out):
        file_id = ref.get("file_id") or ""
        if file_id.startswith(ASSET_PREFIX):
            ref["file_id"] = file_ids[int(file_id.removeprefix(ASSET_PREFIX))]
    return out


def _usable(client: Client, file_id: str) -> bool:
    try:
        file = client.get_file(file_id)
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise
    if file.get("state") == "pending":
        file = client.wait_file_ready(file_id, FILE_READY_TIMEOUT, FILE_READY_INTERVAL)
    return file.get("state") == "ready"


def _upload(client: Client, asset: Asset, user_id: str) -> str:
    purpose = "input" if asset.kind == Asset.Kind.VIDEO else "reference"
    for attempt in range(2):
        try:
            file = client.upload_file(
                asset.file.path,
                mime_type=asset.media_type,
                filename=asset.original_name or None,
                purpose=purpose,
                user_id=user_id,
            )
            break
        except UncertainSubmission:
            # A second file upload only leaves a stray copy that expires: safe to redo.
            if attempt:
                raise
    return str(file["id"])


def remote_file_ids(client: Client, assets: list[Asset], user_id: str) -> dict[int, str]:
    """The Files API id of each asset on this API: reused when still usable, else uploaded.

    New uploads are sent first and waited for afterwards, so their ingest overlaps.
    """
    found: dict[int, str] = {}
    fresh: dict[int, str] = {}
    for asset in assets:
        known = RemoteFile.objects.filter(asset=asset, api_base_url=client.base_url).first()
        if known is not None and _usable(client, known.file_id):
            found[asset.id] = known.file_id
            continue
        fresh[asset.id] = _upload(client, asset, user_id)
    by_id = {a.id: a for a in assets}
    for asset_id, file_id in fresh.items():
        file = client.wait_file_ready(file_id, FILE_READY_TIMEOUT, FILE_READY_INTERVAL)
        if file.get("state") != "ready":
            name = by_id[asset_id].original_name
            reason = file.get("failure_reason") or file.get("state")
            raise InputUploadFailed(f"The generation API did not accept {name}: {reason}")
        RemoteFile.objects.update_or_create(
            asset_id=asset_id, api_base_url=client.base_url, defaults={"file_id": file_id}
        )
        found[asset_id] = file_id
    return found


# --- Sending -----------------------------------------------------------------------------


def _set(generation: Generation, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(generation, name, value)
    Generation.objects.filter(pk=generation.pk).update(**fields)


def _refuse(generation: Generation, detail: str) -> None:
    _set(
        generation, state=Generation.State.REFUSED, error_detail=detail, finished_at=timezone.now()
    )
    ProgressEvent.objects.create(
        generation=generation, kind="refused", state="refused", detail=detail
    )


def prepare_inputs(generation: Generation, client: Client) -> bool:
    """Swap asset placeholders for file ids in the recorded request; False if refused."""
    template = generation.composition.get("_body") or generation.request
    asset_ids = placeholder_assets(template)
    if not asset_ids:
        return True
    assets = list(Asset.objects.filter(team=generation.team, id__in=asset_ids))
    if len(assets) != len(asset_ids):
        _refuse(generation, "An input image or video was deleted before it could be sent.")
        return False
    user_id = str(generation.request.get("user_id") or "")
    try:
        file_ids = remote_file_ids(client, assets, user_id)
    except (ApiError, InputUploadFailed) as exc:
        detail = exc.detail if isinstance(exc, ApiError) else str(exc)
        _refuse(generation, f"Uploading an input failed: {detail}")
        return False
    _set(generation, request=with_file_ids(template, file_ids))
    return True


def send(generation: Generation, client: Client) -> Generation:
    """One POST /generations for a recorded generation, and what its answer means."""
    try:
        answer = client.create_generation(generation.request)
    except UncertainSubmission as exc:
        _set(generation, state=Generation.State.UNCERTAIN, error_detail=exc.detail)
        ProgressEvent.objects.create(
            generation=generation, kind="uncertain", state="uncertain", detail=exc.detail
        )
        return generation
    except ApiError as exc:
        detail = exc.detail
        if exc.status is None:
            detail = f"The generation API could not be reached; nothing was sent. ({exc.detail})"
        _refuse(generation, detail)
        return generation
    now = timezone.now()
    state = answer.get("state") if answer.get("state") in ("queued", "processing") else "queued"
    _set(
        generation,
        remote_id=answer["id"],
        state=state,
        submitted_at=now,
        next_poll_at=now + FIRST_POLL_AFTER,
        error_detail="",
    )
    ProgressEvent.objects.create(generation=generation, kind="submitted", state=state)
    return generation


def submit(generation: Generation, client: Client) -> Generation:
    if prepare_inputs(generation, client):
        send(generation, client)
    return generation


def resend(generation: Generation, client: Client) -> Generation:
    """A person chose to send an uncertain submission again (it may now exist twice)."""
    updated = Generation.objects.filter(pk=generation.pk, state=Generation.State.UNCERTAIN).update(
        state=Generation.State.SUBMITTING
    )
    if not updated:
        generation.refresh_from_db()
        return generation
    generation.state = Generation.State.SUBMITTING
    ProgressEvent.objects.create(generation=generation, kind="resent", state="submitting")
    return send(generation, client)


def drop(generation: Generation) -> Generation:
    updated = Generation.objects.filter(pk=generation.pk, state=Generation.State.UNCERTAIN).update(
        state=Generation.State.DROPPED, finished_at=timezone.now()
    )
    generation.refresh_from_db()
    if updated:
        ProgressEvent.objects.create(generation=generation, kind="dropped", state="dropped")
    return generation


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
        submit_token=None,
        parent=failed,
    )
