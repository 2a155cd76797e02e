"""The local engine's records: API keys, the RPM window, files and generations.

Everything lives in the database the web processes share, so limits and job claims
hold across several web servers and render workers.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from studio.contract import FPS


class ApiKey(models.Model):
    name = models.CharField(max_length=100)
    # First characters after "luma-api-": enough to tell keys apart in a list.
    prefix = models.CharField(max_length=16, db_index=True)
    # sha256 of the whole key; the key itself is shown once and never stored.
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # USD left to spend; None is unlimited. Only read when ENGINE_BALANCE_ENABLED.
    balance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    rpm_limit = models.PositiveIntegerField(null=True, blank=True)
    concurrent_limit = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class RateEvent(models.Model):
    """One accepted create, kept for the sliding 60-second window (pruned as it slides)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="rate_events")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]


class EngineFile(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"
        DELETED = "deleted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="files")
    created_at = models.DateTimeField(default=timezone.now)
    mime_type = models.CharField(max_length=255)
    purpose = models.CharField(max_length=16, default="input")
    size_bytes = models.BigIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    deleted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(null=True, blank=True)
    filename = models.CharField(max_length=255, null=True, blank=True)
    user_id = models.CharField(max_length=256, null=True, blank=True)
    # A name in the engine's store (studio.engine.storage); empty until the bytes arrived.
    path = models.CharField(max_length=255, blank=True, default="")
    # What ingest found: "image" or "video", and a video's length on the 24 fps grid.
    media_kind = models.CharField(max_length=8, blank=True, default="")
    duration_s = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "-created_at", "-id"])]


class EngineGeneration(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        COMPLETED = "completed"
        FAILED = "failed"

    NON_TERMINAL = (State.QUEUED, State.PROCESSING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="generations")
    type = models.CharField(max_length=16)
    # The body as received, with inline base64 replaced by the staged file's name.
    request = models.JSONField()
    # Field path -> where the renderer finds that input (see studio.engine.refs).
    inputs = models.JSONField(default=dict)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    source_seconds = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    failure_code = models.CharField(max_length=32, null=True, blank=True)
    failure_reason = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Worker claim: a job is rendered only by the worker whose lease is current.
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    # Names in the engine's store (studio.engine.storage).
    video_path = models.CharField(max_length=255, blank=True, default="")
    exr_path = models.CharField(max_length=255, blank=True, default="")
    frames = models.PositiveIntegerField(null=True, blank=True)
    charged = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["key", "state"]),
            models.Index(fields=["state", "lease_until"]),
        ]

    @property
    def seconds(self) -> float | None:
        """Length on the 24 fps grid, (frames - 1) / 24, once rendered."""
        return (self.frames - 1) / FPS if self.frames else None
