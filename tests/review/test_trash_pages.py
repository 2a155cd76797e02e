"""The trash on the pages: what trashed generations leave, the Trash view, batch actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from studio.composer.sources import find_source, team_sources
from studio.generations import trash
from studio.generations.models import Batch, Generation
from tests.conftest import Personas
from tests.factories import add_media, make_generation


def test_trashed_ones_leave_the_gallery_pickers_and_compare(
    client: Client, personas: Personas
) -> None:
    gone = make_generation(personas.team, personas.editor, prompt="TRASHED-ONE")
    add_media(gone, frames=4)
    kept = make_generation(personas.team, personas.editor, prompt="KEPT-ONE")
    trash.trash(gone, personas.editor)
    client.force_login(personas.viewer)

    page = client.get(reverse("review:gallery")).content.decode()
    assert "KEPT-ONE" in page and "TRASHED-ONE" not in page
    compare = client.get(f"{reverse('review:compare')}?g={gone.id}&g={kept.id}")
    assert compare.status_code == 404
    assert [s.generation.id for s in team_sources(personas.team) if s.generation] == [kept.id]
    # Its page still opens (with the restore), and its remote id can still be extended.
    detail = client.get(reverse("review:generation", args=[gone.id])).content.decode()
    assert "In the trash" in detail
    assert find_source(personas.team, f"g:{gone.id}") is not None


def test_the_trash_view_lists_who_trashed_what(client: Client, personas: Personas) -> None:
    gone = make_generation(personas.team, personas.editor, prompt="TRASHED-ONE")
    make_generation(personas.team, personas.editor, prompt="KEPT-ONE")
    trash.trash(gone, personas.editor)
    client.force_login(personas.owner)
    page = client.get(reverse("review:trash")).content.decode()
    assert "TRASHED-ONE" in page and "KEPT-ONE" not in page
    assert "by Eddie Editor" in page
    assert reverse("review:restore_one", args=[gone.id]) in page
    # A viewer sees the trash, without restore buttons.
    client.force_login(personas.viewer)
    page = client.get(reverse("review:trash")).content.decode()
    assert "TRASHED-ONE" in page and reverse("review:restore_one", args=[gone.id]) not in page


def test_trash_and_restore_one_from_its_page(client: Client, personas: Personas) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.editor)
    detail = reverse("review:generation", args=[take.id])
    assert reverse("review:trash_one", args=[take.id]) in client.get(detail).content.decode()

    answer = client.post(reverse("review:trash_one", args=[take.id]), {"next": "//evil.test/"})
    assert answer.status_code == 302 and answer["Location"] == detail
    take.refresh_from_db()
    assert take.trashed_by == personas.editor

    client.post(reverse("review:restore_one", args=[take.id]))
    take.refresh_from_db()
    assert take.trashed_at is None


def test_a_selection_trashes_what_the_person_may(client: Client, personas: Personas) -> None:
    mine = make_generation(personas.team, personas.editor)
    owners = make_generation(personas.team, personas.owner, prompt="OWNERS-TAKE")
    client.force_login(personas.editor)
    answer = client.post(
        reverse("review:trash_selection"), {"action": "trash", "g": [mine.id, owners.id]}
    )
    assert answer.status_code == 302
    mine.refresh_from_db()
    owners.refresh_from_db()
    assert mine.trashed_at is not None and owners.trashed_at is None
    shown = client.get(answer["Location"]).content.decode()
    assert "Moved to the trash: 1 generation(s)." in shown
    assert "OWNERS-TAKE: Only its author or an owner" in shown

    client.post(reverse("review:trash_selection"), {"action": "restore", "g": [mine.id]})
    mine.refresh_from_db()
    assert mine.trashed_at is None


def test_an_owner_trashes_a_whole_batch(client: Client, personas: Personas) -> None:
    batch = Batch.objects.create(team=personas.team, author=personas.editor, size=3)
    takes = [
        make_generation(personas.team, personas.editor, batch=batch, take_index=i) for i in range(3)
    ]
    other = make_generation(personas.team, personas.editor)
    client.force_login(personas.owner)
    client.post(reverse("review:trash_selection"), {"action": "trash", "batch": str(batch.id)})
    assert Generation.objects.in_trash().filter(batch=batch).count() == 3
    assert Generation.objects.live().filter(pk=other.pk).exists()
    assert all(Generation.objects.get(pk=t.pk).trashed_by == personas.owner for t in takes)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "shred", "g": ["x"]},
        {"action": "trash", "g": ["not-a-uuid"]},
        {"action": "trash", "batch": "nope"},
    ],
)
def test_malformed_selections_are_404s(client: Client, personas: Personas, data: dict) -> None:
    client.force_login(personas.editor)
    assert client.post(reverse("review:trash_selection"), data).status_code == 404


def test_a_purged_parent_is_drawn_as_deleted(client: Client, personas: Personas) -> None:
    parent = make_generation(personas.team, personas.editor, prompt="the original clip")
    child = make_generation(
        personas.team,
        personas.editor,
        parent=parent,
        action=Generation.Action.EXTEND_FORWARD,
    )
    trash.trash(parent, personas.editor)
    trash.purge(parent.id)
    client.force_login(personas.viewer)
    page = client.get(reverse("review:generation", args=[child.id])).content.decode()
    assert "deleted · the original clip" in page
    parent_page = client.get(reverse("review:generation", args=[parent.id])).content.decode()
    assert "Deleted" in parent_page


def test_a_share_link_stops_showing_what_was_moved_to_the_trash(
    client: Client, personas: Personas
) -> None:
    from studio.review.share import create_share, token_for

    gone = make_generation(personas.team, personas.editor, prompt="TRASHED-ONE")
    poster = add_media(gone, frames=4)["poster"]
    kept = make_generation(personas.team, personas.editor, prompt="KEPT-ONE")
    both = create_share(personas.team, [gone.id, kept.id], by=personas.owner, days=7)
    alone = create_share(personas.team, [gone.id], by=personas.owner, days=7)
    trash.trash(gone, personas.editor)
    client.logout()

    page = client.get(reverse("review:shared", args=[token_for(both)]))
    # One generation is left: the link opens it directly.
    assert page.status_code == 302 and str(kept.id) in page["Location"]
    item = reverse("review:shared_item", args=[token_for(both), gone.id])
    assert client.get(item).status_code == 404
    file_url = reverse("review:shared_file", args=[token_for(both), poster.pk])
    assert client.get(file_url).status_code == 404
    gone_page = client.get(reverse("review:shared", args=[token_for(alone)]))
    assert gone_page.status_code == 410
    assert "moved what it shared to the trash" in gone_page.content.decode()
    # A trashed generation cannot be shared afresh.
    with pytest.raises(ValueError):
        create_share(personas.team, [gone.id], by=personas.owner, days=7)
    # Restored, it is shared again.
    trash.restore(gone, personas.editor)
    assert client.get(item).status_code == 200
