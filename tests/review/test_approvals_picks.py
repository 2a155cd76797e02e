"""Approval states with who/when and history; picks, and picks first in the composer."""

from __future__ import annotations

from django.urls import reverse

from studio.composer.sources import completed_clips
from studio.generations.models import Generation
from studio.review.models import ApprovalEvent, Pick
from tests.factories import make_generation


def test_approval_history_is_kept(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    url = reverse("review:approval", args=[take.id])
    client.force_login(personas.reviewer)
    client.post(url, {"state": "changes_requested", "note": "Warmer grade"})
    client.force_login(personas.owner)
    client.post(url, {"state": "approved"})
    take.refresh_from_db()
    assert take.approval == "approved"
    history = list(
        ApprovalEvent.objects.filter(generation=take).values_list("state", "by__email", "note")
    )
    assert history == [
        ("approved", "owner@example.com", ""),
        ("changes_requested", "reviewer@example.com", "Warmer grade"),
    ]
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert "by Olive Owner" in html
    assert html.index("<strong>Approved</strong>") < html.index(
        "<strong>Changes requested</strong>"
    )
    assert "Warmer grade" in html


def test_an_unknown_approval_state_is_refused(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    client.force_login(personas.reviewer)
    response = client.post(
        reverse("review:approval", args=[take.id]), {"state": "shipped"}, follow=True
    )
    assert "Choose pending, approved, changes requested or rejected." in response.content.decode()
    assert not ApprovalEvent.objects.exists()
    take.refresh_from_db()
    assert take.approval == "pending"


def test_pick_and_unpick_record_who_and_when(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    url = reverse("review:pick", args=[take.id])
    client.force_login(personas.editor)
    client.post(url)
    take.refresh_from_db()
    assert take.picked and Pick.objects.get(generation=take).by == personas.editor
    html = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert "★ Picked by Eddie Editor" in html
    client.post(url, {"picked": "no"})
    take.refresh_from_db()
    assert not take.picked and not Pick.objects.exists()


def test_picks_come_first_in_the_composers_source_pickers(client, personas) -> None:
    older = make_generation(personas.team, personas.editor, prompt="Older pick")
    newer = make_generation(personas.team, personas.editor, prompt="Newer not picked")
    client.force_login(personas.editor)
    assert [g.id for g in completed_clips(personas.team)][:2] == [newer.id, older.id]
    client.post(reverse("review:pick", args=[older.id]))
    assert [g.id for g in completed_clips(personas.team)][:2] == [older.id, newer.id]
    page = client.get(reverse("composer:compose")).content.decode()
    assert page.index("Older pick") < page.index("Newer not picked")
    assert Generation.objects.get(pk=older.pk).picked
