"""The composer's pages: compose, upload, and the decisions on a sent generation."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.composer.assets import UploadRejected, asset_json, store_upload
from studio.composer.body import TYPE_OF_MODE
from studio.composer.forms import ComposeForm, new_token
from studio.composer.prefill import (
    PREFILL_ACTIONS,
    PrefillError,
    defaults,
    frame_asset,
    from_source,
    place_frame,
)
from studio.composer.pricing import price_table
from studio.composer.sources import team_sources
from studio.composer.submit import drafts_for, retry_draft
from studio.composer.takes import MAX_TAKES, SWEEPS, TakeProblem
from studio.composer.timing import timing_sources
from studio.contract import rules_as_json
from studio.contract.models import RETRYABLE_FAILURE_CODES
from studio.contract.parsing import MAX_FRAME, parse_id, parse_int, parse_uuid
from studio.generations import lifecycle
from studio.generations.access import get_generation_for
from studio.generations.imports import ImportRefused, import_generation, parse_remote_id
from studio.generations.lifecycle import BudgetExceeded, NoApiConfigured, StorageQuotaExceeded
from studio.generations.models import Asset, Generation
from studio.http import AuthedRequest
from studio.teams.access import require_membership
from studio.teams.models import Membership

UPLOAD_WANTS = {
    "image": ("image", None),
    "edit": ("video", "edit"),
    "reframe": ("video", "reframe"),
}
NOT_CONFIGURED = "No generation API is configured for this studio: ask an owner to set one."


def _error_summary(form: ComposeForm) -> list[dict[str, str]]:
    """Every field problem once, in page order, linked to its field: a refused form is
    reloaded at the top, where errors far down the page would otherwise go unseen."""
    if not form.is_bound:
        return []
    rows = []
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form[name] if name in form.fields else None
        label = (
            str(field.label)
            if field is not None and field.label
            else name.replace("_", " ").capitalize()
        )
        for message in errors:
            # Each field's errors sit in an element of their own (the _errors partial),
            # visible even where the field itself is a hidden input driven by a widget.
            rows.append({"label": label, "message": str(message), "anchor": f"err-{name}"})
    return rows


def _page(
    request: HttpRequest,
    form: ComposeForm,
    membership: Membership,
    *,
    action: str = "create",
    parent: Generation | None = None,
    status: int = 200,
) -> HttpResponse:
    asset_ids: set[int] = set()
    values = form.data if form.is_bound else {**form.initial}
    for name in ("start_frame", "end_frame", "guide_frame"):
        asset_id = parse_id(values.get(name))
        if asset_id is not None:
            asset_ids.add(asset_id)
    for name in ("keyframes", "edit_keyframes"):
        try:
            items = form.fields[name].to_python(values.get(name)) or []
        except Exception:  # a broken hidden field already carries its own error
            items = []
        asset_ids.update(item["asset"] for item in items)
    assets = Asset.objects.filter(team=membership.team, id__in=asset_ids)
    sources = form.sources
    context: dict[str, Any] = {
        "form": form,
        "action": action,
        "action_label": Generation.Action(action).label
        if action in Generation.Action.values
        else "",
        "parent": parent,
        "max_takes": MAX_TAKES,
        # What a sweep may vary and over which values: the takes section shows only the
        # chosen parameter's values and prices each take.
        "sweeps": {
            name: {"label": label, "values": list(values)}
            for name, (_, values, label) in SWEEPS.items()
        },
        "error_summary": _error_summary(form),
        "rules": rules_as_json(),
        # Which request type each mode sends; the grid, limits and defaults reach the
        # page once for every page, as `contract` (studio.contract.browser).
        "mode_types": TYPE_OF_MODE,
        # The timeline can copy earlier timings.
        "timing_sources": timing_sources(membership.team),
        "prices": price_table(),
        "assets_json": {str(a.id): asset_json(a) for a in assets},
        "sources": sources,
        "sources_json": {
            s.key: {
                "seconds": s.seconds,
                "width": s.width,
                "height": s.height,
                "poster": s.poster_url,
            }
            for s in sources
        },
    }
    return render(request, "composer/compose.html", context, status=status)


def _form(membership: Membership, *args: Any, **kwargs: Any) -> ComposeForm:
    form = ComposeForm(
        *args, membership=membership, sources=team_sources(membership.team), **kwargs
    )
    form.sources = team_sources(membership.team)
    return form


def _prefill(
    request: HttpRequest, membership: Membership
) -> tuple[dict[str, Any], str, Generation | None]:
    initial = defaults()
    action, parent = "create", None
    source_id = request.GET.get("source")
    wanted = request.GET.get("action", "")
    if source_id and wanted in PREFILL_ACTIONS:
        parent, _ = get_generation_for(request, source_id)
        initial, action = from_source(wanted, parent)
    frame_from = request.GET.get("frame_from")
    if frame_from:
        clip, _ = get_generation_for(request, frame_from)
        where = request.GET.get("as", "start")
        if where not in ("start", "end", "keyframe"):
            raise PrefillError("A frame can go in as the start, the end or a keyframe.")
        frame = parse_int(request.GET.get("frame", "0"), 0, MAX_FRAME)
        if frame is None:
            raise PrefillError("The frame number must be a whole number from 0.")
        asset = frame_asset(clip, frame, membership)
        initial = place_frame(initial, asset, where, frame)
    return initial, action, parent


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request, "compose")
    if request.method == "POST":
        return _post(request, membership)
    try:
        initial, action, parent = _prefill(request, membership)
    except PrefillError as exc:
        messages.error(request, str(exc))
        initial, action, parent = {}, "create", None
    form = _form(membership, initial={**initial, "submit_token": new_token()})
    return _page(request, form, membership, action=action, parent=parent)


def _post(request: HttpRequest, membership: Membership) -> HttpResponse:
    action = request.POST.get("action", "create")
    if action not in Generation.Action.values:
        action = "create"
    parent = None
    parent_id = request.POST.get("parent", "")
    if parent_id:
        parent, _ = get_generation_for(request, parent_id)
    earlier = _earlier(request.POST.get("submit_token", ""), membership)
    if earlier is not None:
        return _landing(earlier)
    form = _form(membership, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, membership, action=action, parent=parent, status=400)

    def refused(message: str, status: int) -> HttpResponse:
        form.add_error(None, message)
        return _page(request, form, membership, action=action, parent=parent, status=status)

    try:
        drafts, plan = drafts_for(form, membership, action, parent)
    except TakeProblem as exc:
        if exc.index is None:
            form.add_error("takes", exc.detail)
            return _page(request, form, membership, action=action, parent=parent, status=400)
        return refused(f"Take {exc.index + 1}: {exc.detail}", exc.status)
    try:
        takes, _ = lifecycle.record(
            drafts,
            submit_token=str(form.cleaned_data["submit_token"]),
            batch_kind=plan.kind,
            varies=plan.varies,
        )
    except NoApiConfigured:
        return refused(NOT_CONFIGURED, 503)
    except StorageQuotaExceeded as exc:
        return refused(str(exc), 409)  # as the API answers it: storage to free, not money
    except BudgetExceeded as exc:
        return refused(str(exc), 402)
    return _landing(takes[0])


def _earlier(token: str, membership: Membership) -> Generation | None:
    parsed = parse_uuid(token)
    if parsed is None:
        return None
    return Generation.objects.filter(submit_token=str(parsed), team=membership.team).first()


def _landing(generation: Generation) -> HttpResponse:
    """Where a submit lands: the take's page, or its batch in the gallery."""
    if generation.batch_id:
        return redirect(f"{reverse('review:gallery')}?batch={generation.batch_id}")
    return redirect("review:generation", generation_id=generation.id)


@login_required
@require_POST
def upload(request: AuthedRequest) -> HttpResponse:
    """One file for the timeline's drag-and-drop: JSON with the stored asset, or why not."""
    membership = require_membership(request, "compose")
    purpose = request.POST.get("purpose", "image")
    if purpose not in UPLOAD_WANTS:
        return JsonResponse({"error": "Unknown upload purpose."}, status=400)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": "Choose a file to upload."}, status=400)
    want, limit = UPLOAD_WANTS[purpose]
    try:
        asset = store_upload(
            upload.chunks(),
            team=membership.team,
            user=request.user,
            name=upload.name or "",
            want=want,
            purpose=limit,
        )
    except UploadRejected as exc:
        return JsonResponse({"error": f"{upload.name}: {exc}"}, status=400)
    return JsonResponse(asset_json(asset), status=201)


def _editable(request: HttpRequest, generation_id: uuid.UUID) -> tuple[Generation, Membership]:
    generation, membership = get_generation_for(request, generation_id, "view")
    # Reviewers see the generation but may not spend: a 403, as on the composer.
    if not membership.can("compose"):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this.")
    return generation, membership


@login_required
@require_POST
def resend_view(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, _ = _editable(request, generation_id)
    if lifecycle.resend(generation):
        messages.info(request, "It waits for the sender again, and will be sent once more.")
    return redirect("review:generation", generation_id=generation.id)


@login_required
@require_POST
def drop_view(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, _ = _editable(request, generation_id)
    lifecycle.drop(generation)
    return redirect("review:generation", generation_id=generation.id)


@login_required
@require_POST
def retry_view(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    failed, membership = _editable(request, generation_id)
    if (
        failed.state != Generation.State.FAILED
        or failed.failure_code not in RETRYABLE_FAILURE_CODES
    ):
        messages.error(
            request, "Only a generation that failed for a passing reason can be retried."
        )
        return redirect("review:generation", generation_id=failed.id)
    try:
        takes, _ = lifecycle.record([retry_draft(failed, membership)])
    except NoApiConfigured:
        messages.error(request, NOT_CONFIGURED)
        return redirect("review:generation", generation_id=failed.id)
    except BudgetExceeded as exc:
        messages.error(request, str(exc))
        return redirect("review:generation", generation_id=failed.id)
    return redirect("review:generation", generation_id=takes[0].id)


@login_required
@require_POST
def cancel_view(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    """The author or an owner cancels a generation that was not sent: nothing is spent."""
    generation, membership = _editable(request, generation_id)
    if generation.author_id != request.user.pk and not membership.can("manage"):
        raise PermissionDenied("Only its author or an owner can cancel it.")
    if lifecycle.cancel(generation):
        messages.success(request, "Cancelled: nothing was sent, and nothing is spent.")
    else:
        messages.error(request, f"It is {generation.get_state_display().lower()}: too late.")
    return redirect("review:generation", generation_id=generation.id)


@login_required
@require_POST
def front_view(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    """The author moves one of their waiting generations to the front of their own queue."""
    generation, _ = _editable(request, generation_id)
    if generation.author_id != request.user.pk:
        raise PermissionDenied("Only its author can reorder their own queue.")
    if lifecycle.move_to_front(generation):
        messages.success(request, "It is next in your queue.")
    return redirect("review:generation", generation_id=generation.id)


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    """Paste the id of a generation made elsewhere; it becomes one of the team's."""
    membership = require_membership(request, "compose")
    error, value, status = "", "", 200
    if request.method == "POST":
        value = request.POST.get("remote_id", "").strip()
        try:
            generation, created = import_generation(membership, parse_remote_id(value))
        except ImportRefused as exc:
            error, status = exc.detail, exc.status
        else:
            messages.success(
                request,
                "Imported: its outputs are being fetched."
                if created
                else "It was already in the studio: here it is.",
            )
            return redirect("review:generation", generation_id=generation.id)
    return render(
        request,
        "composer/import.html",
        {"error": error, "value": value},
        status=status,
    )
