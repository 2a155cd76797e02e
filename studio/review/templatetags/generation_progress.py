from __future__ import annotations

from django import template

from studio.review.page import ACTIVE_STATES

register = template.Library()


@register.simple_tag
def active_states() -> str:
    """``data-active-states="{% active_states %}"``: the states progress.js keeps polling."""
    return " ".join(ACTIVE_STATES)
