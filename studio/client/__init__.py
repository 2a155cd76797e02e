"""The only way the studio talks to a generation API (Ray 3.2, or the local engine).

Plain Python on httpx; ``from_settings`` is the one place that reads Django settings.
"""

from __future__ import annotations

from ._core import RateLimit
from ._io import Download
from .aio import AsyncClient
from .errors import ApiError, LinkExpired, UncertainSubmission
from .settings import from_settings
from .sync import Client

__all__ = [
    "ApiError",
    "AsyncClient",
    "Client",
    "Download",
    "LinkExpired",
    "RateLimit",
    "UncertainSubmission",
    "from_settings",
]
