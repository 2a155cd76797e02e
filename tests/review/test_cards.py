"""Gallery cards: the values each card shows, worked out once per page in Python."""

from __future__ import annotations

from django.urls import reverse

from studio.generations.models import Generation, Output
from studio.review import gallery as g
from studio.review.cards import Card, cards_of
from tests.conftest import Personas
from tests.factories import make_generation


def _cards(personas: Personas) -> list[Card]:
    rows = list(
        Generation.objects.filter(team=personas.team)
        .select_related("author")
        .only(*g.CARD_FIELDS)
        .prefetch_related(g.card_outputs())
        .order_by("-created_at")
    )
    cards = cards_of(rows)
    assert all(isinstance(c, Card) for c in cards)
    return cards  # type: ignore[return-value]


def test_card_links_are_the_ones_reverse_gives(personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Koi pond")
    # Names that need quoting in a link: a space, a non-ASCII letter, '#', '%' and '?'.
    poster = Output.objects.create(
        generation=take, kind="poster", file="outputs/a b/ü#1%?.png", width=0, height=None
    )
    thumbs = Output.objects.create(
        generation=take, kind="thumbs", file="outputs/x/strip +.png", meta={"count": 7}
    )
    (card,) = _cards(personas)
    assert card.url == reverse("review:generation", args=[take.id])
    assert card.poster_url == reverse("generations:media", args=[poster.file.name])
    assert card.thumbs_url == reverse("generations:media", args=[thumbs.file.name])
    assert "%C3%BC%231%25%3F" in card.poster_url
    assert (card.poster_width, card.poster_height, card.tiles) == (320, 180, 7)


def test_card_labels_follow_the_row(personas: Personas) -> None:
    long_prompt = "Rooftop garden at golden hour, " * 5
    make_generation(
        personas.team,
        personas.editor,
        prompt=long_prompt,
        state=Generation.State.PROCESSING,
        approval=Generation.Approval.CHANGES,
        comment_count=1,
        duration_s=None,
        duration="10s",
    )
    (card,) = _cards(personas)
    assert card.state_label == "Processing" and not card.completed
    assert card.approval_label == "Changes requested"
    assert card.comments_title == "1 comment"
    assert card.length == "10s"
    assert card.prompt == long_prompt
    assert len(card.prompt_short) == 110 and card.prompt_short.endswith("…")
    assert len(card.open_label) == 60 and len(card.select_label) == 40
    assert card.author_name == personas.editor.get_full_name()
    assert (card.thumbs_url, card.poster_url) == ("", "")


def test_a_card_still_on_its_way_shows_live_progress(client, personas: Personas) -> None:
    take = make_generation(
        personas.team, personas.editor, prompt="Glacier", state=Generation.State.PROCESSING
    )
    client.force_login(personas.viewer)
    html = client.get("/").content.decode()
    assert f'data-generation-id="{take.id}"' in html
    assert reverse("generations:status", args=[take.id]) in html
    assert f'<img data-media-for="{take.id}" alt="" hidden>' in html
