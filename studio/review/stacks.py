"""Version stacks on the review pages: one gallery card per stack, the version switcher.

Like batch cards, stack cards fold the rows of one gallery page after it is fetched, so
keyset paging is untouched: one more query (and its media prefetch) fetches every version
of the page's stacks. Membership itself changes only in ``studio.generations.stacks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse

from studio.contract.parsing import parse_id
from studio.generations import stacks
from studio.generations.models import Generation, Output, Stack
from studio.review.gallery import card_outputs, fold, media_of
from studio.teams.models import Team

# How the gallery folds its cards; the person's choice is kept in their session.
GROUPINGS = {"batch": "Batch", "stack": "Version stack", "none": "Nothing"}
DEFAULT_GROUPING = "batch"
GROUPING_SESSION_KEY = "gallery_group"


def get_stack_for(team: Team, stack_id: str | int | None) -> Stack:
    """The team's stack, or 404: another team's stack is as missing as an unknown one."""
    ident = parse_id(stack_id)
    stack = Stack.objects.filter(pk=ident, team=team).first() if ident is not None else None
    if stack is None:
        raise Http404("No such stack")
    return stack


def compare_url(versions: list[Generation]) -> str:
    return f"{reverse('review:compare')}?{urlencode([('g', str(v.id)) for v in versions])}"


def stack_compare_url(stack: Stack) -> str:
    """review:compare for a stack: it opens on the last two versions."""
    return f"{reverse('review:compare')}?{urlencode({'stack': stack.pk})}"


@dataclass
class StackCard:
    """One gallery card standing for every version of a stack."""

    stack: Stack
    versions: list[Generation]  # v1 first, with card media
    shown: int  # how many of them the page itself listed (fewer when filtered)
    is_stack: bool = field(default=True, init=False)

    @property
    def current(self) -> Generation:
        return stacks.current_of(self.stack, self.versions) or self.versions[-1]

    @property
    def poster(self) -> Output | None:
        return media_of(self.current).poster

    @property
    def compare_url(self) -> str:
        return stack_compare_url(self.stack)


def group(items: list[Generation], team: Team) -> list[Generation | StackCard]:
    """The page's rows with every stack's versions folded into one card, where its first
    row stood. One query (plus its media prefetch) fetches all versions of those stacks."""
    stack_ids = list(dict.fromkeys(g.stack_id for g in items if g.stack_id))
    if not stack_ids:
        return list(items)
    versions: dict[int, list[Generation]] = {i: [] for i in stack_ids}
    rows = (
        Generation.objects.live()
        .filter(team=team, stack_id__in=stack_ids)
        .select_related("author", "stack")
        .prefetch_related(card_outputs())
        .order_by("version")
    )
    for row in rows:
        assert row.stack_id is not None  # one of stack_ids
        versions[row.stack_id].append(row)

    def card(members: list[Generation], on_page: int) -> StackCard:
        stack = members[0].stack
        assert stack is not None  # a version of this stack, with it selected
        return StackCard(stack, members, on_page)

    return fold(items, lambda g: g.stack_id, versions, card)


@dataclass
class Version:
    generation: Generation
    number: int
    here: bool  # the page being shown
    current: bool  # the stack's current version


@dataclass
class Switcher:
    """The generation page's version switcher."""

    stack: Stack
    versions: list[Version]
    here: Version | None
    compare_url: str  # the last two versions
    previous_compare_url: str  # this version against the one before it ("" for v1)

    @property
    def count(self) -> int:
        return len(self.versions)


def switcher(generation: Generation) -> Switcher | None:
    """The versions of a generation's stack, or None outside a stack."""
    if generation.stack_id is None:
        return None
    stack = Stack.objects.filter(pk=generation.stack_id).select_related("current").first()
    if stack is None:
        return None
    versions = stacks.versions_of(stack)
    current = stacks.current_of(stack, versions)
    rows = [
        Version(
            generation=v,
            number=v.version or 0,
            here=v.pk == generation.pk,
            current=current is not None and v.pk == current.pk,
        )
        for v in versions
    ]
    here = next((r for r in rows if r.here), None)
    earlier = [v for v in versions if (v.version or 0) < (generation.version or 0)]
    previous = compare_url([earlier[-1], generation]) if earlier else ""
    return Switcher(stack, rows, here, stack_compare_url(stack), previous)


def team_stacks(team: Team, limit: int = 50) -> list[tuple[int, str]]:
    """(id, label) of the team's newest stacks, for the "Add to a stack" choice."""
    first_prompt = Subquery(
        Generation.objects.filter(stack=OuterRef("pk")).order_by("version").values("prompt")[:1]
    )
    rows = (
        Stack.objects.filter(team=team)
        .annotate(count=Count("versions"), first_prompt=first_prompt)
        .order_by("-created_at", "-id")[:limit]
    )
    out = []
    for stack in rows:
        label = (stack.first_prompt or f"Stack {stack.pk}")[:60]
        n = stack.count
        out.append((stack.pk, f"{label} ({n} version{'s' if n != 1 else ''})"))
    return out
