"""A preview: a composition rendered by the local engine at draft size, free of charge.

Not a generation: it never reaches a generation API, is not in the gallery and is kept
for a day (KEEP), then removed with its files by the engine worker's sweep.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.teams.models import Team

KEEP = timedelta(days=1)
# In the store: one folder per preview, holding its staged inputs and its MP4.
FOLDER = "previews"
VIDEO_NAME = "video.mp4"


def _expiry() -> object:
    return timezone.now() + KEEP


class Preview(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RENDERING = "rendering"
        READY = "ready"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="previews"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="previews")
    # The Ray 3.2 body as checked, with inline base64 replaced by the staged file's name.
    request = models.JSONField()
    # Field path -> where the renderer finds that input (see studio.previews.service).
    inputs = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    failure_reason = models.TextField(blank=True, default="")
    worker = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=_expiry)

    class Meta:
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="preview_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"preview {self.id} ({self.state})"

    @property
    def media_name(self) -> str:
        """The MP4's name under MEDIA_ROOT (what stored_file_response serves)."""
        return f"{media_folder(self.id)}/{VIDEO_NAME}"


def media_folder(preview_id: uuid.UUID) -> str:
    """The preview's folder as a stored name (a prefix, in a bucket)."""
    return f"{FOLDER}/{preview_id}"


def folder_of(preview_id: uuid.UUID) -> Path:
    """The preview's folder on disk (where it is rendered when the store is the disk)."""
    return Path(settings.MEDIA_ROOT) / media_folder(preview_id)
