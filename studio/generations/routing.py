"""Which generation API a generation goes to, and with which key: decided here only.

Before it is sent, a generation follows its team's current choice: the team's own API
when an owner set one (URL and key), else the studio's (``LUMA_BASE_URL``). Once sent,
it stays with the API it was sent to, and a key is only ever used with the base URL it
was configured for: when that pairing no longer exists (an owner cleared or changed the
team's API), the generation has no key, and nothing is sent or polled with another.
The sender, the poller, uploads and imports all ask ``route_for``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from studio.generations.models import ApiGovernor, Generation
from studio.teams.models import Team

TEAM = "team"
STUDIO = "studio"


def normalise(base_url: str) -> str:
    return (base_url or "").strip().rstrip("/")


@dataclass(frozen=True)
class Route:
    base_url: str
    source: str  # TEAM or STUDIO
    key: str = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """Names the (API, key) pair without holding the key."""
        return hashlib.sha256(f"{self.base_url}\n{self.key}".encode()).hexdigest()

    def limits(self, team: Team | None) -> tuple[int, int]:
        """(max concurrent jobs, max creates a minute) for this key."""
        concurrent, rpm = settings.LUMA_MAX_CONCURRENT, settings.LUMA_MAX_RPM
        if self.source == TEAM and team is not None:
            concurrent = team.api_max_concurrent or concurrent
            rpm = team.api_max_rpm or rpm
        return concurrent, rpm


def _team_route(team: Team) -> Route | None:
    if team.api_base_url and team.api_key:
        return Route(normalise(team.api_base_url), TEAM, team.api_key)
    return None


def _studio_route() -> Route | None:
    base_url, key = normalise(settings.LUMA_BASE_URL), settings.LUMA_AGENTS_API_KEY
    if base_url and key:
        return Route(base_url, STUDIO, key)
    return None


def route_for_team(team: Team) -> Route | None:
    """Where the team's new generations go now (None: no API is configured)."""
    return _team_route(team) or _studio_route()


def route_for(generation: Generation) -> Route | None:
    """The API and key for this generation, or None when its API has no key any more."""
    if generation.remote_id is None and generation.state in Generation.UNSENT:
        return route_for_team(generation.team)
    base_url = normalise(generation.api_base_url)
    source = generation.api_source or _infer_source(generation.team, base_url)
    if source == TEAM:
        route = _team_route(generation.team)
    elif source == STUDIO:
        route = _studio_route()
    else:
        route = None
    if route is None or route.base_url != base_url:
        return None
    return route


def _infer_source(team: Team, base_url: str) -> str:
    """Rows recorded before the source was kept: the configuration that names this URL."""
    if team.api_key and normalise(team.api_base_url) == base_url:
        return TEAM
    if normalise(settings.LUMA_BASE_URL) == base_url:
        return STUDIO
    return ""


def no_key_reason(generation: Generation) -> str:
    return (
        f"No API key is configured for {normalise(generation.api_base_url) or 'its API'} "
        "any more: ask an owner to restore the team's API settings."
    )


def governor_for(route: Route, team: Team | None = None) -> ApiGovernor:
    """The governor row of a route, made on first use; its limits follow the settings."""
    concurrent, rpm = route.limits(team)
    governor = ApiGovernor.objects.filter(fingerprint=route.fingerprint).first()
    if governor is None:
        try:
            with transaction.atomic():
                governor = ApiGovernor.objects.create(
                    fingerprint=route.fingerprint,
                    base_url=route.base_url,
                    max_concurrent=concurrent,
                    max_rpm=rpm,
                )
        except IntegrityError:
            governor = ApiGovernor.objects.get(fingerprint=route.fingerprint)
    if (governor.max_concurrent, governor.max_rpm) != (concurrent, rpm):
        ApiGovernor.objects.filter(pk=governor.pk).update(
            max_concurrent=concurrent, max_rpm=rpm, updated_at=timezone.now()
        )
        governor.max_concurrent, governor.max_rpm = concurrent, rpm
    return governor
