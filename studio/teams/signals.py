"""What teams announce to the apps above them."""

from __future__ import annotations

from django.dispatch import Signal

# An owner saved the team's API settings (base URL, key, limits). Arguments: ``team_id``.
# The sender points what waits unsent at the team's API as it now stands.
api_settings_changed = Signal()
