"""What the apps above teams add to the team page.

The team page belongs to ``studio.teams``, which sits below the apps that know a team's
generations. Those register a provider here from their ``AppConfig.ready()``: given the
team and the page's query, it returns template variables (``studio.generations`` adds
spend, the send queue, storage and retention).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import QueryDict

from studio.teams.models import Team

Provider = Callable[[Team, QueryDict], dict[str, Any]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def context(team: Team, query: QueryDict) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for provider in _providers:
        merged.update(provider(team, query))
    return merged
