"""What a team stores, from the sizes recorded with each file, and its optional quota.

Kinds: the original videos ("outputs"), EXR frame zips, the browser previews, posters and
thumbnail strips, and the uploaded inputs. A trashed generation's files count until they
are purged (they are still stored).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from studio.generations.budget import month_start
from studio.generations.models import Asset, Generation, Output
from studio.teams.models import Team

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

KIND_OF_OUTPUT: dict[str, str] = {
    Output.Kind.VIDEO: "outputs",
    Output.Kind.EXR: "exr",
    Output.Kind.PREVIEW: "previews",
    Output.Kind.POSTER: "previews",
    Output.Kind.THUMBS: "previews",
}
KIND_LABELS = {
    "outputs": "Outputs",
    "exr": "EXR frames",
    "previews": "Previews and posters",
    "uploads": "Uploads",
}
MONTHS = 6
LARGEST = 5


@dataclass
class Usage:
    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def rows(self) -> list[tuple[str, int]]:
        return [(KIND_LABELS[k], n) for k, n in self.by_kind.items()]


def usage(team: Team) -> Usage:
    by_kind = dict.fromkeys(KIND_LABELS, 0)
    rows = (
        Output.objects.filter(generation__team=team)
        .values("kind")
        .annotate(total=Sum("size_bytes"))
    )
    for row in rows:
        by_kind[KIND_OF_OUTPUT.get(row["kind"], "outputs")] += int(row["total"] or 0)
    uploads = Asset.objects.filter(team=team).aggregate(total=Sum("size_bytes"))["total"]
    by_kind["uploads"] = int(uploads or 0)
    return Usage(by_kind)


class _Stored(TypedDict):
    stored_bytes: int


def largest(team: Team, n: int = LARGEST) -> list[WithAnnotations[Generation, _Stored]]:
    """The generations whose files weigh most (``stored_bytes`` on each)."""
    return list(
        Generation.objects.filter(team=team, outputs__isnull=False)
        .annotate(stored_bytes=Sum("outputs__size_bytes"))
        .order_by("-stored_bytes", "-created_at")[:n]
    )


def trend(team: Team, now: dt.datetime | None = None) -> list[tuple[dt.datetime, int]]:
    """Bytes added per calendar month (of files still stored), the last MONTHS, oldest first."""
    months = [month_start(now)]
    for _ in range(MONTHS - 1):
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    tz = timezone.get_current_timezone()
    totals: dict[dt.date, int] = {}
    for qs in (
        Output.objects.filter(generation__team=team, created_at__gte=months[0]),
        Asset.objects.filter(team=team, created_at__gte=months[0]),
    ):
        rows = (
            qs.annotate(month=TruncMonth("created_at", tzinfo=tz))
            .values("month")
            .annotate(total=Sum("size_bytes"))
        )
        for row in rows:
            key = timezone.localtime(row["month"]).date().replace(day=1)
            totals[key] = totals.get(key, 0) + int(row["total"] or 0)
    return [(m, totals.get(m.date(), 0)) for m in months]


def human_bytes(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def quota_problem(team: Team) -> str | None:
    """The sentence refusing a new submit while the team is over its storage quota."""
    if team.storage_quota_bytes is None:
        return None
    used = usage(team).total
    if used < team.storage_quota_bytes:
        return None
    return (
        f"{team.name} stores {human_bytes(used)}, at or over its storage quota of "
        f"{human_bytes(team.storage_quota_bytes)}: empty the trash or delete generations "
        "before submitting new ones."
    )
