"""Version stacks on the pages: joins through the composer, the switcher, the gallery's
grouping, the current version and compare's default pair."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from studio.generations import stacks
from studio.generations.models import Generation, Stack
from tests.conftest import Personas
from tests.factories import add_media, make_generation

SOME_API = {"LUMA_BASE_URL": "http://127.0.0.1:9/v1", "LUMA_AGENTS_API_KEY": "luma-api-x"}


@pytest.fixture(autouse=True)
def _api(settings: Any) -> None:
    # Composing only records: the API is configured but never reached here.
    for name, value in SOME_API.items():
        setattr(settings, name, value)


def compose(client: Client, **fields: Any) -> Generation:
    data = {
        "submit_token": str(uuid.uuid4()),
        "mode": "video",
        "prompt": "a paper boat drifting down a rain gutter",
        "resolution": "360p",
        "duration": "5s",
        "direction": "forward",
        "controls_mode": "auto",
        **fields,
    }
    response = client.post(reverse("composer:compose"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Generation.objects.get(submit_token=data["submit_token"])


def detail(client: Client, generation: Generation) -> str:
    response = client.get(reverse("review:generation", args=[generation.id]))
    assert response.status_code == 200
    return response.content.decode()


def test_remix_retry_and_promote_through_the_pages_make_one_stack(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.editor)
    v1 = compose(client)
    v2 = compose(client, action="remix", parent=str(v1.id), prompt="a paper boat, at night")
    v3 = compose(client, action="promote", parent=str(v2.id), resolution="720p")
    Generation.objects.filter(pk=v3.pk).update(
        state="failed", failure_code="generation_failed", remote_id=uuid.uuid4()
    )
    response = client.post(reverse("composer:retry", args=[v3.id]))
    v4 = Generation.objects.get(parent=v3)
    assert response.status_code == 302
    rows = Generation.objects.order_by("version").values_list("id", "version", "stack_id")
    assert [(i, n) for i, n, _s in rows] == [(v1.id, 1), (v2.id, 2), (v3.id, 3), (v4.id, 4)]
    assert len({s for _i, _n, s in rows}) == 1

    # The switcher on v2's page: every version, v2 here, v4 current (the latest).
    html = detail(client, v2)
    assert "Version 2 of 4" in html
    assert re.search(r'aria-current="page">v2<', html)
    for other in (v1, v3, v4):
        assert reverse("review:generation", args=[other.id]) in html
    current = re.search(r"v(\d)</a>\s*<span[^>]*data-role=\"current-version\"", html)
    assert current and current.group(1) == "4"
    stack = Stack.objects.get()
    assert f"{reverse('review:compare')}?stack={stack.pk}" in html
    assert f"g={v1.id}&amp;g={v2.id}" in html  # with the version before


def test_current_version_is_set_per_stack_and_shown(client: Client, personas: Personas) -> None:
    v1, v2, v3 = (make_generation(personas.team, personas.editor) for _ in range(3))
    stack = stacks.start(v1)
    stacks.add(stack, v2)
    stacks.add(stack, v3)
    client.force_login(personas.reviewer)
    response = client.post(reverse("review:stack_current", args=[v2.id]))
    assert response.status_code == 302
    stack.refresh_from_db()
    assert stack.current_id == v2.id
    html = detail(client, v3)
    assert re.search(r"v2</a>\s*<span[^>]*data-role=\"current-version\"", html)
    assert f'action="{reverse("review:stack_current", args=[v3.id])}"' in html
    # A reviewer chooses the current version but does not curate the stack.
    assert reverse("review:stack_remove", args=[v3.id]) not in html
    assert client.post(reverse("review:stack_remove", args=[v3.id])).status_code == 404
    # Approval stays per version.
    client.post(reverse("review:approval", args=[v2.id]), {"state": "approved"})
    approvals = dict(Generation.objects.values_list("id", "approval"))
    assert approvals == {v1.id: "pending", v2.id: "approved", v3.id: "pending"}


def test_start_add_and_take_out_from_the_page(client: Client, personas: Personas) -> None:
    take, other = (make_generation(personas.team, personas.editor) for _ in range(2))
    client.force_login(personas.editor)
    html = detail(client, take)
    assert "Not in a version stack" in html
    client.post(reverse("review:stack_start", args=[take.id]))
    stack = Stack.objects.get()
    html = detail(client, other)
    assert f'<option value="{stack.pk}">' in html
    response = client.post(reverse("review:stack_add", args=[other.id]), {"stack": stack.pk})
    assert response["Location"].endswith("#versions")
    other.refresh_from_db()
    assert (other.stack_id, other.version) == (stack.pk, 2)
    client.post(reverse("review:stack_remove", args=[other.id]))
    other.refresh_from_db()
    assert other.stack_id is None
    # An unknown, malformed or foreign stack is a 404 and changes nothing.
    foreign = stacks.start(make_generation(personas.other_team, personas.outsider))
    for bad in ("999999", "x", "", foreign.pk):
        response = client.post(reverse("review:stack_add", args=[other.id]), {"stack": bad})
        assert response.status_code == 404
    other.refresh_from_db()
    assert other.stack_id is None


def test_gallery_groups_by_the_persons_choice_and_remembers_it(
    client: Client, personas: Personas
) -> None:
    v1, v2, v3 = (
        make_generation(personas.team, personas.editor, prompt=f"Shot v{i}") for i in (1, 2, 3)
    )
    loose = make_generation(personas.team, personas.editor, prompt="Loose shot")
    for g in (v1, v2, v3, loose):
        add_media(g, frames=4)
    stack = stacks.start(v1)
    stacks.add(stack, v2)
    stacks.add(stack, v3)
    stacks.set_current(v2)
    client.force_login(personas.viewer)
    gallery = reverse("review:gallery")

    html = client.get(gallery).content.decode()  # by batch (the default): every version
    assert html.count('data-stack="') == 0 and html.count('class="clip-card"') == 4

    html = client.get(gallery, {"group": "stack"}).content.decode()
    assert html.count(f'data-stack="{stack.pk}"') == 1
    assert '<span class="badge batch" data-role="stack-count">3 versions</span>' in html
    assert "v2 current" in html
    assert html.count('class="clip-card"') == 1  # the loose one; the stack is one card
    assert f"{reverse('review:compare')}?stack={stack.pk}" in html

    # Remembered for the next visit, until changed.
    html = client.get(gallery).content.decode()
    assert html.count(f'data-stack="{stack.pk}"') == 1
    assert re.search(r'<option value="stack"\s+selected>', html)
    html = client.get(gallery, {"group": "none"}).content.decode()
    assert 'data-stack="' not in html and html.count('class="clip-card"') == 4

    # One stack's versions, v1 first.
    html = client.get(gallery, {"stack": stack.pk}).content.decode()
    assert [html.index(f"Shot v{i}") for i in (1, 2, 3)] == sorted(
        html.index(f"Shot v{i}") for i in (1, 2, 3)
    )
    assert client.get(gallery, {"stack": "nope"}).status_code == 404


def test_compare_opens_a_stack_on_its_last_two_versions(client: Client, personas: Personas) -> None:
    versions = [make_generation(personas.team, personas.editor) for _ in range(3)]
    for g in versions:
        add_media(g, frames=4)
    stack = stacks.start(versions[0])
    for g in versions[1:]:
        stacks.add(stack, g)
    client.force_login(personas.viewer)
    response = client.get(reverse("review:compare"), {"stack": stack.pk})
    assert response.status_code == 200
    shown = [t["generation"].id for t in response.context["takes"]]
    assert shown == [versions[1].id, versions[2].id]
    html = response.content.decode()
    assert 'data-label="v2"' in html and 'data-label="v3"' in html
    # The frame rate comes from the contract, not the template.
    assert 'data-fps="24"' in html
    # Someone else's stack is as missing as an unknown one.
    foreign = stacks.start(make_generation(personas.other_team, personas.outsider))
    assert client.get(reverse("review:compare"), {"stack": foreign.pk}).status_code == 404
