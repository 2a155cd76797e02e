"""Version stacks: the versions of one shot over time, v1, v2, …

A remix, a retry or a promote of a generation joins its source's stack (starting one with
the source as v1 when it has none); a person can start a stack from any generation (a take
picked from a batch, say), add a generation to a stack or take it out. Every change of a
stack's membership happens here, under a lock on the stack row, so two joins at once can
never take the same number. Numbers are never reused or shifted: "v3" keeps meaning the
same clip after v2 is taken out.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from studio.generations.models import Generation, Stack

# Actions that make a new version of their source rather than a new shot. A retry is
# recorded as a remix of the failed generation.
VERSION_ACTIONS = (Generation.Action.REMIX, Generation.Action.PROMOTE)


class StackError(Exception):
    """A stack change that cannot be made; the message is for the person."""


def current_of(stack: Stack, versions: list[Generation] | None = None) -> Generation | None:
    """The version the team settled on, or the latest while nobody has chosen one (or the
    chosen one is in the trash). ``versions``: the stack's live versions, when at hand."""
    if versions is None:
        versions = versions_of(stack)
    chosen = next((v for v in versions if v.pk == stack.current_id), None)
    return chosen or max(versions, key=lambda v: v.version or 0, default=None)


def _append(stack: Stack, generation: Generation) -> None:
    """Give ``generation`` the next number of ``stack`` (whose row the caller has locked)."""
    top = stack.versions.aggregate(top=Max("version"))["top"] or 0
    generation.stack, generation.version = stack, top + 1
    Generation.objects.filter(pk=generation.pk).update(stack=stack, version=top + 1)


def _locked(stack_id: int) -> Stack:
    return Stack.objects.select_for_update().get(pk=stack_id)


def start(generation: Generation, by: Any = None) -> Stack:
    """A stack with ``generation`` as v1; its own stack if it already has one."""
    with transaction.atomic():
        row = Generation.objects.select_for_update().get(pk=generation.pk)
        if row.stack_id is not None:
            generation.stack_id, generation.version = row.stack_id, row.version
            return _locked(row.stack_id)
        stack = Stack.objects.create(team_id=generation.team_id, created_by=by)
        _append(stack, generation)
        return stack


def add(stack: Stack, generation: Generation) -> None:
    """Make ``generation`` the newest version of ``stack`` (leaving any stack it was in)."""
    if stack.team_id != generation.team_id:
        # Callers look both up in the person's team; this guards the rule itself.
        raise StackError("A generation can only join a stack of its own team.")
    if generation.stack_id == stack.pk:
        raise StackError(f"This is already v{generation.version} of that stack.")
    with transaction.atomic():
        if generation.stack_id is not None:
            remove(generation)
        _append(_locked(stack.pk), generation)


def join_source(generation: Generation) -> Stack | None:
    """A new version of ``generation.parent`` (remix, retry, promote) joins its stack."""
    source = generation.parent
    if generation.action not in VERSION_ACTIONS or source is None:
        return None
    with transaction.atomic():
        stack = start(source)
        _append(stack, generation)
    return stack


def remove(generation: Generation) -> None:
    """Take ``generation`` out of its stack; a stack left empty goes with it."""
    if generation.stack_id is None:
        raise StackError("This generation is not in a stack.")
    with transaction.atomic():
        stack = _locked(generation.stack_id)
        Generation.objects.filter(pk=generation.pk).update(stack=None, version=None)
        generation.stack, generation.version = None, None
        if stack.current_id == generation.pk:
            # Back to "the latest counts as current".
            Stack.objects.filter(pk=stack.pk).update(current=None)
        if not stack.versions.exists():
            stack.delete()


def set_current(generation: Generation) -> Stack:
    """Make ``generation`` the current version of its stack."""
    if generation.stack_id is None:
        raise StackError("This generation is not in a stack.")
    with transaction.atomic():
        stack = _locked(generation.stack_id)
        stack.current = generation
        stack.save(update_fields=["current"])
    return stack


def versions_of(stack: Stack) -> list[Generation]:
    """Every version not in the trash, v1 first (one query)."""
    return list(stack.versions.live().select_related("author").order_by("version"))


def last_two(stack: Stack) -> list[Generation]:
    """The two newest versions, older first: what compare opens with."""
    newest = list(stack.versions.live().order_by("-version")[:2])
    return newest[::-1]
