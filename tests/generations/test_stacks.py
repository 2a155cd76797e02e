"""Version stacks: remixes, retries and promotes join their source's stack; people curate."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from studio.composer.submit import retry_draft
from studio.generations import stacks
from studio.generations.lifecycle import Draft, record
from studio.generations.models import Generation, Stack
from studio.teams.models import Membership
from tests.conftest import Personas
from tests.factories import make_generation

pytestmark = pytest.mark.django_db

SOME_API = {"LUMA_BASE_URL": "http://127.0.0.1:9/v1", "LUMA_AGENTS_API_KEY": "luma-api-x"}
BODY = {
    "model": "ray-3.2",
    "type": "video",
    "prompt": "a paper boat",
    "video": {"resolution": "360p", "duration": "5s"},
}


@pytest.fixture(autouse=True)
def _api(settings: Any) -> None:
    # Recording needs a configured API; nothing is sent in these tests.
    for name, value in SOME_API.items():
        setattr(settings, name, value)


def _membership(personas: Personas) -> Membership:
    return Membership.objects.get(user=personas.editor, team=personas.team)


def _record(personas: Personas, action: str, parent: Generation | None, n: int = 1) -> list:
    drafts = [
        Draft(membership=_membership(personas), action=action, body=dict(BODY), parent=parent)
        for _ in range(n)
    ]
    return record(drafts)[0]


def _version(generation: Generation) -> tuple[int | None, int | None]:
    generation.refresh_from_db()
    return generation.stack_id, generation.version


@pytest.mark.parametrize("action", ["remix", "promote"])
def test_a_remix_or_promote_starts_its_sources_stack_and_joins_it(
    personas: Personas, action: str
) -> None:
    source = make_generation(personas.team, personas.editor)
    [second] = _record(personas, action, source)
    stack_id, version = _version(source)
    assert stack_id is not None and version == 1
    assert _version(second) == (stack_id, 2)
    # A remix of the remix joins the same stack, and so does another of the source.
    [third] = _record(personas, "remix", second)
    [fourth] = _record(personas, "promote", source)
    assert _version(third) == (stack_id, 3)
    assert _version(fourth) == (stack_id, 4)
    assert Stack.objects.count() == 1
    # While nobody has chosen, the latest version is the current one.
    assert stacks.current_of(Stack.objects.get()) == fourth


def test_a_retry_joins_the_failed_ones_stack(personas: Personas) -> None:
    failed = make_generation(personas.team, personas.editor, state="failed", request=BODY)
    [retry] = record([retry_draft(failed, _membership(personas))])[0]
    stack_id, _ = _version(failed)
    assert _version(failed) == (stack_id, 1) and _version(retry) == (stack_id, 2)


def test_new_shots_and_extends_start_no_stack(personas: Personas) -> None:
    source = make_generation(personas.team, personas.editor)
    [new] = _record(personas, "create", None)
    [extended] = _record(personas, "extend_forward", source)
    assert _version(new) == (None, None) and _version(extended) == (None, None)
    assert _version(source) == (None, None)
    assert not Stack.objects.exists()


def test_a_batch_of_remixes_are_alternatives_not_versions(personas: Personas) -> None:
    source = make_generation(personas.team, personas.editor)
    takes = _record(personas, "remix", source, n=3)
    assert all(_version(t) == (None, None) for t in takes)
    # The take the team picks can start a stack of its own.
    stack = stacks.start(takes[1], personas.editor)
    assert _version(takes[1]) == (stack.pk, 1)
    assert stacks.start(takes[1]) == stack  # starting twice is the same stack


def test_add_take_out_and_current(personas: Personas) -> None:
    v1, v2, v3, loose = (make_generation(personas.team, personas.editor) for _ in range(4))
    stack = stacks.start(v1, personas.editor)
    stacks.add(stack, v2)
    stacks.add(stack, v3)
    assert [v.pk for v in stacks.versions_of(stack)] == [v1.pk, v2.pk, v3.pk]
    assert [v.pk for v in stacks.last_two(stack)] == [v2.pk, v3.pk]
    with pytest.raises(stacks.StackError):
        stacks.add(stack, v2)

    stacks.set_current(v2)
    stack.refresh_from_db()
    assert stacks.current_of(stack) == v2
    stacks.add(stack, loose)  # a new version does not move a chosen current
    stack.refresh_from_db()
    assert stacks.current_of(stack) == v2 and _version(loose) == (stack.pk, 4)

    # Taking the current one out goes back to "the latest"; numbers never shift.
    stacks.remove(v2)
    stack.refresh_from_db()
    assert _version(v2) == (None, None)
    assert stacks.current_of(stack) == loose
    assert [v.version for v in stacks.versions_of(stack)] == [1, 3, 4]
    with pytest.raises(stacks.StackError):
        stacks.remove(v2)
    with pytest.raises(stacks.StackError):
        stacks.set_current(v2)

    # Moving to another stack leaves the first; an emptied stack is gone.
    other = stacks.start(v2)
    stacks.add(other, v3)
    assert _version(v3) == (other.pk, 2)
    for v in (v1, loose):
        stacks.remove(v)
    assert not Stack.objects.filter(pk=stack.pk).exists()


def test_another_teams_stack_is_refused(personas: Personas) -> None:
    ours = make_generation(personas.team, personas.editor)
    theirs = make_generation(personas.other_team, personas.outsider)
    stack = stacks.start(theirs)
    with pytest.raises(stacks.StackError):
        stacks.add(stack, ours)
    assert _version(ours) == (None, None)


def test_the_database_keeps_version_numbers_whole(personas: Personas) -> None:
    v1, v2 = (make_generation(personas.team, personas.editor) for _ in range(2))
    stack = stacks.start(v1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Generation.objects.filter(pk=v2.pk).update(stack=stack, version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Generation.objects.filter(pk=v2.pk).update(stack=None, version=2)


def test_versions_in_the_trash_are_left_out(personas: Personas) -> None:
    from studio.generations import trash

    v1, v2, v3 = (make_generation(personas.team, personas.editor) for _ in range(3))
    stack = stacks.start(v1)
    stacks.add(stack, v2)
    stacks.add(stack, v3)
    stacks.set_current(v2)
    trash.trash(v2, personas.editor)
    stack.refresh_from_db()
    assert [v.pk for v in stacks.versions_of(stack)] == [v1.pk, v3.pk]
    assert [v.pk for v in stacks.last_two(stack)] == [v1.pk, v3.pk]
    # The chosen current one is in the trash: the latest stands in for it.
    assert stacks.current_of(stack) == v3
