"""Storage per team (figures, quota) and the retention rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.generations import lifecycle, retention, storage
from studio.generations.models import Generation
from studio.teams.models import Membership, Team
from tests.conftest import Personas
from tests.factories import add_hdr_media, add_media, make_generation


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


# --- Storage ---------------------------------------------------------------------------


def test_usage_by_kind_from_recorded_sizes(personas: Personas) -> None:
    hdr = make_generation(personas.team, personas.editor)
    outputs = add_hdr_media(hdr)
    make_generation(personas.other_team, personas.outsider)
    usage = storage.usage(personas.team)
    size = {kind: o.size_bytes for kind, o in outputs.items()}
    assert usage.by_kind == {
        "outputs": size["video"],
        "exr": size["exr"],
        "previews": size["preview"] + size["poster"] + size["thumbs"],
        "uploads": 0,
    }
    assert usage.total == sum(size.values())
    assert [g.id for g in storage.largest(personas.team)] == [hdr.id]
    assert storage.trend(personas.team)[-1][1] == usage.total
    assert storage.usage(personas.other_team).total == 0


def test_the_team_page_shows_storage_and_an_owner_sets_the_quota(
    client: Client, personas: Personas
) -> None:
    take = make_generation(personas.team, personas.editor, prompt="HEAVY-CLIP")
    add_media(take, frames=4)
    client.force_login(personas.viewer)
    page = client.get(reverse("teams:team")).content.decode()
    assert "Largest generations" in page and "HEAVY-CLIP" in page
    assert 'name="quota_gb"' not in page

    client.force_login(personas.owner)
    client.post(reverse("teams:quota"), {"quota_gb": "2.5"})
    team = Team.objects.get(pk=personas.team.pk)
    assert team.storage_quota_bytes == 2_500_000_000
    client.post(reverse("teams:quota"), {"quota_gb": "-1"})
    assert Team.objects.get(pk=personas.team.pk).storage_quota_bytes == 2_500_000_000
    client.post(reverse("teams:quota"), {"quota_gb": ""})
    assert Team.objects.get(pk=personas.team.pk).storage_quota_bytes is None


def test_over_quota_no_submit_is_recorded(personas: Personas, settings: Any) -> None:
    settings.LUMA_BASE_URL = "http://127.0.0.1:9/v1"
    settings.LUMA_AGENTS_API_KEY = "luma-api-never-used"
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=4)
    used = storage.usage(personas.team).total
    Team.objects.filter(pk=personas.team.pk).update(storage_quota_bytes=used)
    membership = Membership.objects.select_related("team").get(
        team=personas.team, user=personas.editor
    )
    body = {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "a paper boat",
        "video": {"resolution": "360p", "duration": "5s"},
    }
    draft = lifecycle.Draft(membership=membership, action="create", body=body, price=Decimal(0))
    with pytest.raises(lifecycle.StorageQuotaExceeded, match="storage quota"):
        lifecycle.record([draft])
    Team.objects.filter(pk=personas.team.pk).update(storage_quota_bytes=used + 1)
    membership.team.refresh_from_db()
    takes, created = lifecycle.record([draft])
    assert created and takes[0].state == Generation.State.WAITING


# --- Retention -------------------------------------------------------------------------


def test_rules_are_off_by_default(personas: Personas) -> None:
    make_generation(personas.team, personas.editor, state="failed", finished_at=days_ago(400))
    assert retention.apply() == 0


def test_the_failed_rule(personas: Personas) -> None:
    old_failed = make_generation(
        personas.team, personas.editor, state="failed", finished_at=days_ago(10)
    )
    old_refused = make_generation(
        personas.team, personas.editor, state="refused", finished_at=days_ago(10)
    )
    old_dropped = make_generation(
        personas.team, personas.editor, state="dropped", finished_at=days_ago(10)
    )
    recent = make_generation(
        personas.team, personas.editor, state="failed", finished_at=days_ago(2)
    )
    completed = make_generation(personas.team, personas.editor, finished_at=days_ago(10))
    Team.objects.filter(pk=personas.team.pk).update(retention_failed_days=7)

    assert retention.apply() == 3
    trashed = set(Generation.objects.in_trash().values_list("id", flat=True))
    assert trashed == {old_failed.id, old_refused.id, old_dropped.id}
    assert Generation.objects.get(pk=old_failed.pk).trashed_by is None
    assert recent.id not in trashed and completed.id not in trashed
    assert retention.apply() == 0  # nothing twice


def test_the_unapproved_rule_spares_approved_and_picked(personas: Personas) -> None:
    old = make_generation(personas.team, personas.editor, created_at=days_ago(40))
    changes = make_generation(
        personas.team, personas.editor, created_at=days_ago(40), approval="changes_requested"
    )
    approved = make_generation(
        personas.team, personas.editor, created_at=days_ago(40), approval="approved"
    )
    picked = make_generation(personas.team, personas.editor, created_at=days_ago(40), picked=True)
    young = make_generation(personas.team, personas.editor, created_at=days_ago(5))
    running = make_generation(
        personas.team, personas.editor, created_at=days_ago(40), state="processing"
    )
    Team.objects.filter(pk=personas.team.pk).update(retention_unapproved_days=30)

    assert retention.apply() == 2
    trashed = set(Generation.objects.in_trash().values_list("id", flat=True))
    assert trashed == {old.id, changes.id}
    for spared in (approved, picked, young, running):
        assert spared.id not in trashed


def test_each_rule_says_what_it_would_trash_before_it_is_on(
    client: Client, personas: Personas
) -> None:
    for n in (3, 12, 20):
        make_generation(personas.team, personas.editor, state="failed", finished_at=days_ago(n))
    client.force_login(personas.owner)
    preview = client.post(reverse("teams:retention"), {"failed_days": "10", "preview": "1"})
    assert preview["Location"] == f"{reverse('teams:team')}?failed_days=10#retention"
    assert Team.objects.get(pk=personas.team.pk).retention_failed_days is None
    page = client.get(preview["Location"]).content.decode()
    assert "Off. With 10 days it would trash 2 generations today." in page
    page = client.get(reverse("teams:team")).content.decode()
    assert "Off. With 30 days it would trash 0 generations today." in page
    # Previewing changed nothing; saving turns the rule on.
    assert Generation.objects.in_trash().count() == 0
    client.post(reverse("teams:retention"), {"failed_days": "10", "unapproved_days": ""})
    team = Team.objects.get(pk=personas.team.pk)
    assert team.retention_failed_days == 10 and team.retention_unapproved_days is None
    page = client.get(reverse("teams:team")).content.decode()
    assert "On (10 days). With 10 days it would trash 2 generations today." in page


@pytest.mark.parametrize("days", ["0", "-3", "abc", "99999"])
def test_bad_days_are_refused(client: Client, personas: Personas, days: str) -> None:
    client.force_login(personas.owner)
    client.post(reverse("teams:retention"), {"failed_days": days})
    assert Team.objects.get(pk=personas.team.pk).retention_failed_days is None
    # A bad preview value is ignored (the default is previewed), never an error.
    assert client.get(f"{reverse('teams:team')}?failed_days={days}").status_code == 200
