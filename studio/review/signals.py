"""What review announces to the apps above it (notifications listen)."""

from __future__ import annotations

from django.dispatch import Signal

# A comment was saved, its mentions included. Arguments: ``comment``.
comment_saved = Signal()
# An approval state was set on a generation. Arguments: ``event`` (an ApprovalEvent).
approval_changed = Signal()
