"""Build a client from Django settings; the rest of the package stays Django-free."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .aio import AsyncClient
    from .sync import Client


def from_settings(*, async_: bool = False) -> Client | AsyncClient:
    """A client for ``LUMA_BASE_URL`` with ``LUMA_AGENTS_API_KEY`` and ``LUMA_TIMEOUT``."""
    # Imported here so importing the client never requires configured Django.
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    base_url = getattr(settings, "LUMA_BASE_URL", "") or ""
    api_key = getattr(settings, "LUMA_AGENTS_API_KEY", "") or ""
    if not base_url:
        raise ImproperlyConfigured("LUMA_BASE_URL is not set (e.g. http://127.0.0.1:8000/v1)")
    if not api_key:
        raise ImproperlyConfigured("LUMA_AGENTS_API_KEY is not set")
    try:
        timeout = float(getattr(settings, "LUMA_TIMEOUT", 30.0))
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured("LUMA_TIMEOUT must be a number of seconds") from exc
    if async_:
        from .aio import AsyncClient

        return AsyncClient(base_url, api_key, timeout=timeout)
    from .sync import Client

    return Client(base_url, api_key, timeout=timeout)
