"""The JSON API for generations: compose (record takes), read, list, fetch outputs, cancel.

A compose here does what the composer's submit does: every take is judged by the
contract and priced, the budget is checked, and the takes are recorded waiting; the
sender then sends them within the key's limits. Nothing is recorded on any refusal.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import uuid
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase

from studio.api.http import REQUEST_NOT_OBJECT, ApiError, api_view, json_body, role_refusal
from studio.api.records import (
    generations_of,
    get_generation_in,
    record_of,
)
from studio.composer.submit import composition_of
from studio.composer.takes import MAX_TAKES, TakeProblem, check, plan
from studio.contract.parsing import parse_moment, parse_uuid
from studio.contract.structure import iter_refs
from studio.generations import lifecycle, trash
from studio.generations.lifecycle import (
    ASSET_PREFIX,
    BudgetExceeded,
    Draft,
    NoApiConfigured,
    StorageQuotaExceeded,
)
from studio.generations.models import Generation, GenerationState, Output
from studio.generations.views import stored_file_response
from studio.teams.models import Membership

FIELDS = ("request", "takes", "prompts", "parent")
PAGE_DEFAULT = 50
PAGE_MAX = 100
MODE_OF_TYPE = {"video": "video", "video_edit": "edit", "video_reframe": "reframe"}
OUTPUT_SUFFIX = {"video": ".mp4", "exr": ".zip", "preview": ".mp4", "poster": ".png"}


# --- Compose ---------------------------------------------------------------------------


def _refuse_studio_assets(body: dict[str, Any]) -> None:
    """``asset:<n>`` file ids are the composer's placeholders for the studio's own uploads;
    from a script they would name another team's files. Only the API's own ids go here.
    Called once the contract has checked the body's shape."""
    for path, ref in iter_refs(body):
        if isinstance(ref, dict) and str(ref.get("file_id") or "").startswith(ASSET_PREFIX):
            raise ApiError(400, f"{path}.file_id: must be an id of the Files API")


def _without_nulls(body: dict[str, Any]) -> dict[str, Any]:
    """A null means "omitted" on the wire; the studio's record wants the key absent."""
    out = {k: v for k, v in body.items() if v is not None}
    if isinstance(out.get("video"), dict):
        out["video"] = {k: v for k, v in out["video"].items() if v is not None}
    return out


def _parent(membership: Membership, value: Any) -> Generation | None:
    if value is None:
        return None
    parent_id = parse_uuid(value)
    if parent_id is None:
        raise ApiError(400, "parent: must be a generation id (a UUID)")
    parent = Generation.objects.filter(id=parent_id, team_id=membership.team_id).first()
    if parent is None:
        raise ApiError(404, "parent: no such generation")
    return parent


def _source_seconds(membership: Membership, body: dict[str, Any]) -> float | None:
    """An edit or reframe of one of the team's own clips is priced by its real length."""
    source = body.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("generation_id"), str):
        return None
    remote_id = parse_uuid(source["generation_id"])
    if remote_id is None:
        return None
    row = Generation.objects.filter(team_id=membership.team_id, remote_id=remote_id).first()
    return row.duration_s if row is not None else None


def _options(data: dict[str, Any]) -> tuple[dict[str, Any], int, list[str] | None]:
    """(request body, takes, prompts) of a compose body, or a 400 for a malformed one."""
    body = data.get("request")
    if not isinstance(body, dict):
        raise ApiError(400, REQUEST_NOT_OBJECT)
    takes = data.get("takes", 1)
    if not isinstance(takes, int) or isinstance(takes, bool) or not 1 <= takes <= MAX_TAKES:
        raise ApiError(400, f"takes: must be between 1 and {MAX_TAKES}")
    prompts = data.get("prompts")
    if prompts is not None:
        if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
            raise ApiError(400, "prompts: must be a list of strings")
        if not 1 <= len(prompts) <= MAX_TAKES:
            raise ApiError(400, f"prompts: must hold between 1 and {MAX_TAKES} prompts")
        if takes != 1:
            raise ApiError(400, "takes: not used with prompts (one take per prompt)")
    return body, takes, prompts


def _compose(request: HttpRequest, membership: Membership) -> JsonResponse:
    if not membership.can("compose"):
        raise ApiError(403, role_refusal(membership))
    data = json_body(request, FIELDS)
    body, takes, prompts = _options(data)
    parent = _parent(membership, data.get("parent"))
    body = _without_nulls(copy.deepcopy(body))
    if body.get("user_id") is None:
        body["user_id"] = str(membership.api_user_id)
    try:
        batch = plan(body, takes=takes, prompts=prompts)
        prices = check(batch.bodies, _source_seconds(membership, body))
    except TakeProblem as problem:
        extra = {"take": problem.index} if problem.index is not None else {}
        raise ApiError(problem.status, problem.detail, **extra) from None
    _refuse_studio_assets(body)
    drafts = []
    for take, price in zip(batch.bodies, prices, strict=True):
        video = take.get("video") or {}
        flags = {name: bool(video.get(name)) for name in ("loop", "hdr", "exr_export")}
        mode = MODE_OF_TYPE.get(take["type"], "video")
        drafts.append(
            Draft(
                membership=membership,
                action=Generation.Action.CREATE,
                body=take,
                composition=composition_of({"mode": mode, **flags}, take),
                price=price.amount,
                price_estimated=price.estimated,
                parent=parent,
            )
        )
    try:
        recorded, _created = lifecycle.record(drafts, batch_kind=batch.kind, varies=batch.varies)
    except StorageQuotaExceeded as exc:
        # Not a payment: the team must free storage first.
        raise ApiError(409, str(exc)) from None
    except BudgetExceeded as exc:
        raise ApiError(402, str(exc)) from None
    except NoApiConfigured as exc:
        raise ApiError(503, str(exc)) from None
    return JsonResponse({"generations": [record_of(request, g) for g in recorded]}, status=201)


# --- List ------------------------------------------------------------------------------


def encode_cursor(generation: Generation) -> str:
    raw = f"{generation.created_at.astimezone(dt.UTC).isoformat()}|{generation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    """The (created_at, id) a cursor continues after; a 400 for anything not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        created_at, last_id = parse_moment(stamp), parse_uuid(ident)
        if created_at is None or last_id is None:
            raise ValueError(stamp)
        return created_at, last_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "cursor: not a cursor this API gave") from None


def _list(request: HttpRequest, membership: Membership) -> JsonResponse:
    rows = generations_of(membership).order_by("-created_at", "-id")
    trashed = request.GET.get("trashed", "false")
    if trashed not in ("true", "false"):
        raise ApiError(400, "trashed: must be true or false")
    # Trashed generations (purged ones too) are listed only when asked for, and then alone.
    rows = rows.filter(trashed_at__isnull=trashed == "false")
    state = request.GET.get("state")
    if state is not None:
        if state not in GenerationState.values:
            raise ApiError(400, f"state: must be one of {', '.join(GenerationState.values)}")
        rows = rows.filter(state=state)
    batch = request.GET.get("batch")
    if batch is not None:
        batch_id = parse_uuid(batch)
        if batch_id is None:
            raise ApiError(400, "batch: must be a batch id (a UUID)")
        rows = rows.filter(batch_id=batch_id)
    limit_text = request.GET.get("limit", str(PAGE_DEFAULT))
    try:
        limit = int(limit_text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= PAGE_MAX:
        raise ApiError(400, f"limit: must be between 1 and {PAGE_MAX}")
    cursor = request.GET.get("cursor")
    if cursor:
        created_at, last_id = decode_cursor(cursor)
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id))
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return JsonResponse(
        {
            "generations": [record_of(request, g) for g in page],
            "next_cursor": encode_cursor(page[-1]) if more else None,
        }
    )


@api_view(["GET", "POST"])
def generations(request: HttpRequest, membership: Membership) -> JsonResponse:
    """GET: the team's generations, newest first, in keyset pages. POST: compose."""
    if request.method == "POST":
        return _compose(request, membership)
    return _list(request, membership)


# --- One generation --------------------------------------------------------------------


@api_view(["GET"])
def generation(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID
) -> JsonResponse:
    return JsonResponse(record_of(request, get_generation_in(membership, generation_id)))


@api_view(["GET"])
def generation_output(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID, kind: str
) -> HttpResponseBase:
    """The bytes of one kept output (one byte range honoured, as for the pages)."""
    found = get_generation_in(membership, generation_id)
    if found.purged_at is not None:
        raise ApiError(410, trash.PURGED_OUTPUTS)
    output = Output.objects.filter(generation=found, kind=kind).first()
    if output is None or not output.file.name:
        raise ApiError(404, f"No {kind} output is stored for this generation")
    name = output.file.name
    suffix = OUTPUT_SUFFIX.get(kind) or "." + name.rsplit(".", 1)[-1]
    return stored_file_response(request, name, download_name=f"{found.id}-{kind}{suffix}")


@api_view(["POST"], action="compose")
def generation_cancel(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID
) -> JsonResponse:
    """Cancel one not yet sent: its author, or an owner of the team."""
    found = get_generation_in(membership, generation_id)
    if found.author_id != membership.user_id and not membership.can("manage"):
        raise ApiError(403, "Only its author or an owner can cancel this generation.")
    if not lifecycle.cancel(found):
        found.refresh_from_db(fields=["state"])
        raise ApiError(
            409, f"Only a waiting generation can be cancelled; this one is {found.state}."
        )
    return JsonResponse(record_of(request, found))


def _trash_or_restore(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID, *, restoring: bool
) -> JsonResponse:
    found = get_generation_in(membership, generation_id)
    if not trash.may_trash(membership, found):
        raise ApiError(403, trash.NOT_YOURS)
    try:
        if restoring:
            trash.restore(found, membership.user)
        else:
            trash.trash(found, membership.user)
    except trash.TrashRefused as refused:
        raise ApiError(refused.status, refused.detail) from None
    return JsonResponse(record_of(request, found))


@api_view(["POST"], action="compose")
def generation_trash(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID
) -> JsonResponse:
    """Move a finished generation to the trash: its author, or an owner of the team."""
    return _trash_or_restore(request, membership, generation_id, restoring=False)


@api_view(["POST"], action="compose")
def generation_restore(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID
) -> JsonResponse:
    """Take a generation back out of the trash (until it is purged)."""
    return _trash_or_restore(request, membership, generation_id, restoring=True)
