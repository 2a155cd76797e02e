"""What generations announce to the apps above them (notifications listen).

Sent inside the writer's transaction: a receiver that acts on the news defers its work
with ``transaction.on_commit``.
"""

from __future__ import annotations

from django.dispatch import Signal

# A generation reached a finished state (completed once its outputs are kept, failed,
# refused, dropped...). Arguments: ``generation_id``.
generation_ended = Signal()
