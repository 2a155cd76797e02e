"""``{% preview_panel %}``: the composer's Preview button and player."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from studio.contract import RESOLUTIONS
from studio.previews.service import NEEDS_ENGINE

register = template.Library()


@register.inclusion_tag("previews/_panel.html")
def preview_panel() -> dict[str, Any]:
    # Read per render: with the engine off the button stays, and says why it cannot work.
    return {
        "engine_enabled": settings.ENGINE_ENABLED,
        "needs_engine": NEEDS_ENGINE,
        # The engine renders drafts at the contract's smallest size (DRAFT_RESOLUTION).
        "draft_resolution": RESOLUTIONS[0],
    }
