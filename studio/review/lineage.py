"""Lineage: what a generation was made from and what was made from it, and extend chains."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.generations.models import Generation

MAX_DEPTH = 40  # ancestors walked up; a longer history is cut at the top
MAX_NODES = 200  # descendants drawn; more are counted, not drawn
EXTENDS = (Generation.Action.EXTEND_FORWARD, Generation.Action.EXTEND_BACKWARD)

COL_W, ROW_H, BOX_W, BOX_H = 190, 54, 170, 40


@dataclass
class Node:
    generation: Generation
    depth: int
    row: float = 0.0
    children: list[Node] = field(default_factory=list)

    @property
    def x(self) -> int:
        return 8 + self.depth * COL_W

    @property
    def y(self) -> float:
        return 8 + self.row * ROW_H


@dataclass
class Lineage:
    nodes: list[Node]
    edges: list[tuple[Node, Node]]
    current: Generation
    truncated: bool
    width: int
    height: int

    @property
    def has_relatives(self) -> bool:
        return len(self.nodes) > 1

    @property
    def paths(self) -> list[str]:
        """SVG path data of each parent→child connector."""
        out = []
        for parent, child in self.edges:
            x1, y1 = parent.x + BOX_W, parent.y + BOX_H / 2
            x2, y2 = child.x, child.y + BOX_H / 2
            mid = (x1 + x2) / 2
            out.append(
                f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            )
        return out


def _fields() -> tuple[str, ...]:
    return (
        "id",
        "team_id",
        "parent_id",
        "action",
        "prompt",
        "state",
        "resolution",
        "hdr",
        "created_at",
        "picked",
        "approval",
        "trashed_at",
        "purged_at",
    )


def ancestors(generation: Generation) -> list[Generation]:
    """Parents from the oldest down to `generation` itself (same team only)."""
    path = [generation]
    seen = {generation.pk}
    while path[0].parent_id and len(path) < MAX_DEPTH:
        parent = (
            Generation.objects.filter(pk=path[0].parent_id, team_id=generation.team_id)
            .only(*_fields())
            .first()
        )
        if parent is None or parent.pk in seen:
            break
        seen.add(parent.pk)
        path.insert(0, parent)
    return path


def lineage_of(generation: Generation) -> Lineage:
    path = ancestors(generation)
    root = Node(path[0], 0)
    by_id = {root.generation.pk: root}
    frontier = [root]
    truncated = False
    # One query per level of descendants.
    while frontier and not truncated:
        children = (
            Generation.objects.filter(
                parent_id__in=[n.generation.pk for n in frontier], team_id=generation.team_id
            )
            .only(*_fields())
            .order_by("created_at", "id")
        )
        next_frontier = []
        for child in children:
            if child.pk in by_id:
                continue
            if len(by_id) >= MAX_NODES:
                truncated = True
                break
            assert child.parent_id is not None  # found as a child of the frontier
            parent = by_id[child.parent_id]
            node = Node(child, parent.depth + 1)
            parent.children.append(node)
            by_id[child.pk] = node
            next_frontier.append(node)
        frontier = next_frontier

    nodes: list[Node] = []
    edges: list[tuple[Node, Node]] = []
    next_row = 0

    def place(node: Node) -> None:
        nonlocal next_row
        nodes.append(node)
        for child in node.children:
            edges.append((node, child))
            place(child)
        if node.children:
            node.row = (node.children[0].row + node.children[-1].row) / 2
        else:
            node.row = next_row
            next_row += 1

    place(root)
    depth = max(n.depth for n in nodes)
    return Lineage(
        nodes=nodes,
        edges=edges,
        current=generation,
        truncated=truncated,
        width=16 + depth * COL_W + BOX_W,
        height=16 + (next_row - 1) * ROW_H + BOX_H,
    )


def extend_chain(generation: Generation) -> list[Generation]:
    """The clips of the extend chain through `generation`, in playing order.

    A forward extend plays after its source, a backward extend before it. Where a clip was
    extended more than once the branch through `generation` wins, else the oldest.
    """
    path = [generation]
    while path[0].action in EXTENDS and path[0].parent_id and len(path) < MAX_DEPTH:
        parent = Generation.objects.filter(pk=path[0].parent_id, team_id=generation.team_id).first()
        if parent is None or parent in path:
            break
        path.insert(0, parent)
    order = [path[0]]
    for child in path[1:]:
        at = order.index(Generation(pk=child.parent_id))
        order.insert(at + 1 if child.action == Generation.Action.EXTEND_FORWARD else at, child)

    def follow(end: Generation, action: str) -> Generation | None:
        return (
            Generation.objects.filter(
                parent=end,
                action=action,
                state=Generation.State.COMPLETED,
                team_id=generation.team_id,
            )
            .order_by("created_at", "id")
            .first()
        )

    while len(order) < MAX_DEPTH and (nxt := follow(order[-1], Generation.Action.EXTEND_FORWARD)):
        if nxt in order:
            break
        order.append(nxt)
    while len(order) < MAX_DEPTH and (prev := follow(order[0], Generation.Action.EXTEND_BACKWARD)):
        if prev in order:
            break
        order.insert(0, prev)
    return order
