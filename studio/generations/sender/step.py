"""One pass of the sender: recover, send what the keys allow, then upload inputs.

``send_once(config)`` is what tests and ``manage.py send --once`` call; ``manage.py
send`` repeats it. Any number of senders may run against one database: a generation is
worked only under a lease, and slots are taken under the key's lock (``governor``).
Creates are never retried by the sender: a create whose answer is lost stays
``uncertain`` for a person to resend or drop.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from studio.client import ApiError, UncertainSubmission
from studio.generations import lifecycle
from studio.generations.lifecycle import EventKind
from studio.generations.models import Asset, Generation, GenerationState
from studio.generations.poller.remote import Clients
from studio.generations.routing import governor_for, route_for, route_for_team
from studio.generations.sender import governor as gov
from studio.generations.sender.inputs import InputUploadFailed, remote_file_ids
from studio.teams.models import Team
from studio.workers.loop import make_owner

log = logging.getLogger("studio.sender")

# An API that could not be reached is tried again after this long (with jitter).
UNREACHABLE_RETRY_S = 10.0
# Statuses that say an input will never be accepted as it is: the generation is refused.
FINAL_UPLOAD_STATUSES = frozenset({400, 401, 402, 403, 404, 413, 415, 422})


@dataclass(frozen=True)
class SenderConfig:
    owner: str
    timeout: float = 30.0
    uploads_per_pass: int = 4
    sends_per_key: int = 100  # per pass; the key's own limits usually bind first

    @property
    def send_lease(self) -> dt.timedelta:
        # Longer than any create can take: a row still leased is never taken for lost.
        return dt.timedelta(seconds=2 * self.timeout + 30)

    @property
    def upload_lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=900)

    @classmethod
    def from_settings(cls, owner: str | None = None, **overrides: Any) -> SenderConfig:
        config = cls(owner=owner or make_owner(), timeout=float(settings.LUMA_TIMEOUT))
        return dataclasses.replace(config, **overrides)


@dataclass
class SendReport:
    recovered: int = 0
    sent: int = 0
    rate_limited: int = 0
    refused: int = 0
    uncertain: int = 0
    not_sent: int = 0
    uploaded: int = 0
    timings: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def worked(self) -> int:
        return self.sent + self.rate_limited + self.refused + self.uncertain + self.uploaded


def send_once(config: SenderConfig | None = None) -> SendReport:
    """Work every key that has a free slot and waiting generations once."""
    config = config or SenderConfig.from_settings()
    if not connection.in_atomic_block:
        close_old_connections()
    report = SendReport()
    clients = Clients(config.timeout, concurrency=1)
    try:
        started = time.perf_counter()
        report.recovered = lifecycle.recover_abandoned()
        report.timings["recover"] = time.perf_counter() - started
        started = time.perf_counter()
        _send(config, report, clients)
        report.timings["send"] = time.perf_counter() - started
        started = time.perf_counter()
        _upload(config, report, clients)
        report.timings["upload"] = time.perf_counter() - started
    finally:
        clients.close()
    return report


def decide(now: dt.datetime | None = None) -> dict[int, int]:
    """Free slots per key that has waiting generations (what one pass would send)."""
    now = now or timezone.now()
    slots = gov.slots_of(gov.governors_with_work(now), now)
    gov.snapshot(slots, now)
    return {gid: s.free(now) for gid, s in slots.items()}


def _send(config: SenderConfig, report: SendReport, clients: Clients) -> None:
    now = timezone.now()
    gov.forget_old_attempts(now)
    worked = []
    for governor_id, free in decide(now).items():
        if free <= 0:
            continue
        lease_until = timezone.now() + config.send_lease
        taken = gov.take(governor_id, config.owner, lease_until, min(free, config.sends_per_key))
        for generation in taken:
            _send_one(generation, config, report, clients)
        worked.append(governor_id)
    if worked:
        # What is left waiting on these keys is told why by what the keys look like now.
        now = timezone.now()
        gov.snapshot(gov.slots_of(worked, now), now)


def _send_one(
    generation: Generation, config: SenderConfig, report: SendReport, clients: Clients
) -> None:
    governor = generation.governor
    route = route_for(generation)
    if route is None or governor is None or route.fingerprint != governor.fingerprint:
        # The team's API changed since it was recorded: it waits for its new key.
        lifecycle.back_to_waiting(
            generation, config.owner, EventKind.NOT_SENT, "Its team's API changed.", None
        )
        reroute(generation.team_id)
        return
    try:
        answer, rate = clients.get((route.base_url, route.key)).create_generation_limited(
            generation.request
        )
    except UncertainSubmission as exc:
        gov.note_answer(governor, 0)
        lifecycle.uncertain(generation, exc.detail, owner=config.owner)
        report.uncertain += 1
        return
    except ApiError as exc:
        if exc.status == 429:
            gov.note_answer(governor, 429, retry_after=exc.retry_after)
            # Certain that nothing was created: it waits for the key's next slot.
            detail = f"The API asked to wait ({exc.detail}); it will be sent after that."
            lifecycle.back_to_waiting(
                generation, config.owner, EventKind.RATE_LIMITED, detail, None
            )
            report.rate_limited += 1
        elif exc.status is None and not exc.sent:
            retry_at = timezone.now() + dt.timedelta(
                seconds=UNREACHABLE_RETRY_S * (1 + random.random())
            )
            detail = f"The generation API could not be reached; nothing was sent. ({exc.detail})"
            lifecycle.back_to_waiting(
                generation, config.owner, EventKind.NOT_SENT, detail, retry_at
            )
            report.not_sent += 1
        else:
            if exc.status is not None:
                gov.note_answer(governor, exc.status)
            lifecycle.refuse(generation, exc.detail, owner=config.owner)
            report.refused += 1
        return
    gov.note_answer(governor, 201, rate=rate)
    if lifecycle.accepted(generation, config.owner, answer):
        report.sent += 1


def _upload(config: SenderConfig, report: SendReport, clients: Clients) -> None:
    now = timezone.now()
    waiting = gov.due_waiting(now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        inputs_ready=False,
        governor__isnull=False,
    )
    candidates = list(
        gov.fair_order(waiting).values_list("id", flat=True)[: config.uploads_per_pass]
    )
    for generation_id in candidates:
        until = timezone.now() + config.upload_lease
        claimed = Generation.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now()),
            id=generation_id,
            state=GenerationState.WAITING,
        ).update(lease_owner=config.owner, lease_until=until)
        if not claimed:
            continue
        generation = Generation.objects.select_related("team").get(id=generation_id)
        try:
            if _upload_one(generation, config, clients):
                report.uploaded += 1
        finally:
            Generation.objects.filter(id=generation_id, lease_owner=config.owner).update(
                **lifecycle.RELEASE
            )


def _upload_one(generation: Generation, config: SenderConfig, clients: Clients) -> bool:
    template = generation.composition.get("_body") or generation.request
    asset_ids = lifecycle.placeholder_assets(template)
    if not lifecycle.uploading(generation, config.owner, len(asset_ids)):
        return False
    owner = config.owner
    assets = list(Asset.objects.filter(team=generation.team, id__in=asset_ids))
    if len(assets) != len(asset_ids):
        detail = "An input image or video was deleted before it could be sent."
        lifecycle.upload_failed(generation, owner, detail, None)
        return False
    route = route_for(generation)
    if route is None:
        retry: dt.datetime | None = timezone.now() + dt.timedelta(seconds=UNREACHABLE_RETRY_S)
        lifecycle.upload_failed(generation, owner, "No generation API is configured.", retry)
        return False
    user_id = str(template.get("user_id") or "")
    try:
        file_ids = remote_file_ids(
            clients.get((route.base_url, route.key)),
            assets,
            user_id,
            progress=lambda done: lifecycle.upload_progress(generation, owner, done),
        )
    except InputUploadFailed as exc:
        lifecycle.upload_failed(generation, owner, str(exc), None)
        return False
    except ApiError as exc:
        detail = f"Uploading an input failed: {exc.detail}"
        final = exc.status in FINAL_UPLOAD_STATUSES
        retry = None if final else timezone.now() + dt.timedelta(seconds=UNREACHABLE_RETRY_S)
        lifecycle.upload_failed(generation, owner, detail, retry)
        return False
    except OSError as exc:
        lifecycle.upload_failed(generation, owner, f"An input could not be read: {exc}", None)
        return False
    return lifecycle.uploaded(generation, owner, lifecycle.with_file_ids(template, file_ids))


def reroute(team_id: int | None = None) -> int:
    """Point waiting generations at their team's current API (after settings changed)."""
    rows = Generation.objects.filter(state=GenerationState.WAITING, remote_id__isnull=True)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    changed = 0
    team_ids = set(rows.order_by().values_list("team_id", flat=True).distinct())
    for team in Team.objects.filter(id__in=team_ids):
        route = route_for_team(team)
        waiting = rows.filter(team=team)
        if route is None:
            changed += waiting.exclude(governor__isnull=True).update(governor=None)
            continue
        governor = governor_for(route, team)
        changed += waiting.exclude(governor=governor).update(
            governor=governor,
            api_base_url=route.base_url,
            api_source=route.source,
            inputs_ready=False,
        )
    return changed
