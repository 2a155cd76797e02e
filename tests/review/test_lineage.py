"""Lineage for each action, the drawn graph, and extend chains played in order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from studio.generations.models import Generation
from studio.review.lineage import extend_chain, lineage_of
from tests.factories import add_media, make_generation

A = Generation.Action


@pytest.mark.parametrize(
    "action",
    [A.EXTEND_FORWARD, A.EXTEND_BACKWARD, A.EDIT, A.REFRAME, A.REMIX, A.PROMOTE],
)
def test_each_action_links_parent_and_child(client, personas, action: str) -> None:
    parent = make_generation(personas.team, personas.editor, prompt="Parent take")
    child = make_generation(
        personas.team, personas.editor, prompt="Child take", parent=parent, action=action
    )
    tree = lineage_of(child)
    assert [n.generation.id for n in tree.nodes] == [parent.id, child.id]
    assert [(a.generation.id, b.generation.id) for a, b in tree.edges] == [(parent.id, child.id)]
    assert len(tree.paths) == 1
    client.force_login(personas.viewer)
    for page_of, other in ((child, parent), (parent, child)):
        html = client.get(reverse("review:generation", args=[page_of.id])).content.decode()
        assert f'href="{reverse("review:generation", args=[other.id])}"' in html
        assert Generation.Action(action).label in html


def test_tree_draws_siblings_and_grandchildren(personas) -> None:
    root = make_generation(personas.team, personas.editor, prompt="Root")
    remix = make_generation(personas.team, personas.editor, parent=root, action=A.REMIX)
    edit = make_generation(personas.team, personas.editor, parent=root, action=A.EDIT)
    final = make_generation(personas.team, personas.editor, parent=remix, action=A.PROMOTE)
    tree = lineage_of(edit)
    assert {n.generation.id for n in tree.nodes} == {root.id, remix.id, edit.id, final.id}
    depth = {n.generation.id: n.depth for n in tree.nodes}
    assert depth == {root.id: 0, remix.id: 1, edit.id: 1, final.id: 2}
    rows = {n.generation.id: n.row for n in tree.nodes}
    # Leaves get their own rows; a parent sits between its children.
    assert rows[final.id] != rows[edit.id]
    assert min(rows[remix.id], rows[edit.id]) <= rows[root.id] <= max(rows[remix.id], rows[edit.id])


def test_lineage_never_crosses_teams(personas) -> None:
    foreign = make_generation(personas.other_team, personas.outsider, prompt="Foreign")
    mine = make_generation(personas.team, personas.editor, parent=foreign, action=A.REMIX)
    make_generation(personas.other_team, personas.outsider, parent=mine, action=A.EDIT)
    tree = lineage_of(mine)
    assert [n.generation.id for n in tree.nodes] == [mine.id]


def test_extend_chain_plays_in_story_order(client, personas) -> None:
    middle = make_generation(personas.team, personas.editor, prompt="Middle")
    after = make_generation(
        personas.team, personas.editor, prompt="After", parent=middle, action=A.EXTEND_FORWARD
    )
    before = make_generation(
        personas.team, personas.editor, prompt="Before", parent=middle, action=A.EXTEND_BACKWARD
    )
    last = make_generation(
        personas.team, personas.editor, prompt="Last", parent=after, action=A.EXTEND_FORWARD
    )
    # An edit is not part of the chain.
    make_generation(personas.team, personas.editor, parent=last, action=A.EDIT)
    order = [before.id, middle.id, after.id, last.id]
    for start in (middle, after, before, last):
        assert [g.id for g in extend_chain(start)] == order
    for take in (middle, after, before, last):
        add_media(take, frames=4)
    client.force_login(personas.viewer)
    html = client.get(reverse("review:chain", args=[after.id])).content.decode()
    positions = [html.index(f"{t.id}/video.mp4") for t in (before, middle, after, last)]
    assert positions == sorted(positions)
    detail = client.get(reverse("review:generation", args=[after.id])).content.decode()
    assert "Play the extend chain (4 clips)" in detail


def test_chain_prefers_the_branch_it_was_opened_from(personas) -> None:
    root = make_generation(personas.team, personas.editor)
    first = make_generation(personas.team, personas.editor, parent=root, action=A.EXTEND_FORWARD)
    second = make_generation(personas.team, personas.editor, parent=root, action=A.EXTEND_FORWARD)
    assert [g.id for g in extend_chain(second)] == [root.id, second.id]
    assert [g.id for g in extend_chain(root)] == [root.id, first.id]
