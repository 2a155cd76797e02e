from __future__ import annotations

from django import template

from studio.teams.models import Membership

register = template.Library()


@register.filter
def can(membership: Membership | None, action: str) -> bool:
    """``{% if membership|can:"compose" %}``: the role check, usable in templates."""
    return membership is not None and membership.can(action)
