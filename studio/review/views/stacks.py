"""Version stack changes from the generation page: start, add, take out, set current."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.generations import stacks
from studio.generations.access import get_generation_for
from studio.review.stacks import get_stack_for


def _back(generation_id: uuid.UUID) -> HttpResponse:
    return redirect(reverse("review:generation", args=[generation_id]) + "#versions")


@login_required
@require_POST
def start(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    """Start a stack with this generation as v1 (a take picked from a batch, say)."""
    generation, _m = get_generation_for(request, generation_id, "pick")
    if generation.stack_id is not None:
        messages.error(request, f"This is already v{generation.version} of a stack.")
    else:
        stacks.start(generation, request.user)
        messages.success(request, "Started a version stack: this is v1.")
    return _back(generation.id)


@login_required
@require_POST
def add(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    """Make this generation the newest version of the chosen stack."""
    generation, membership = get_generation_for(request, generation_id, "pick")
    stack = get_stack_for(membership.team, request.POST.get("stack"))
    try:
        stacks.add(stack, generation)
    except stacks.StackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Added to the stack as v{generation.version}.")
    return _back(generation.id)


@login_required
@require_POST
def remove(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    generation, _m = get_generation_for(request, generation_id, "pick")
    try:
        stacks.remove(generation)
    except stacks.StackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Taken out of its stack.")
    return _back(generation.id)


@login_required
@require_POST
def current(request: HttpRequest, generation_id: uuid.UUID) -> HttpResponse:
    """Make this version the stack's current one: a review decision, like approval."""
    generation, _m = get_generation_for(request, generation_id, "approve")
    try:
        stacks.set_current(generation)
    except stacks.StackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"v{generation.version} is now the current version.")
    return _back(generation.id)
