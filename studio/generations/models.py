"""The studio's record of generations, their inputs and their outputs.

A Generation row is written before its request is sent and the id the API returns is
stored the moment it arrives: the API has no list endpoint, so an id that is not
recorded is lost for good.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.teams.models import Team


class Asset(models.Model):
    """An uploaded input (image or video), stored once per team by content hash."""

    class Kind(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assets")
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(upload_to="assets/%Y/%m/", max_length=300)
    media_type = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration_s = models.FloatField(null=True, blank=True)  # videos only
    original_name = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "sha256"], name="asset_once_per_team"),
        ]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]


class RemoteFile(models.Model):
    """Which Files API id holds an asset on a given generation API (by base URL)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="remote_files")
    api_base_url = models.CharField(max_length=300)
    file_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "api_base_url"], name="one_remote_file_per_api"
            ),
        ]


class GenerationState(models.TextChoices):
    PENDING = "pending", "Recorded"  # written, request not yet sent
    SUBMITTING = "submitting", "Submitting"  # the request is being sent
    UNCERTAIN = "uncertain", "Submission uncertain"  # sent, outcome unknown
    REFUSED = "refused", "Refused"  # the API answered with an error; nothing was created
    DROPPED = "dropped", "Dropped"  # an uncertain submission the person chose to drop
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Generation(models.Model):
    State = GenerationState
    # The API's states that the poller keeps polling.
    IN_FLIGHT = (State.QUEUED, State.PROCESSING)
    FINISHED = (State.COMPLETED, State.FAILED, State.REFUSED, State.DROPPED)

    class Action(models.TextChoices):
        CREATE = "create", "New"
        EXTEND_FORWARD = "extend_forward", "Extend forward"
        EXTEND_BACKWARD = "extend_backward", "Extend backward"
        EDIT = "edit", "Edit"
        REFRAME = "reframe", "Reframe"
        REMIX = "remix", "Remix"
        PROMOTE = "promote", "Draft → final"

    class Approval(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        CHANGES = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="generations")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="generations"
    )
    kind = models.CharField(max_length=20, default="video")  # the wire `type`
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.CREATE)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )

    # What was asked: the exact body sent (file ids included) and the studio-side
    # composition (asset ids, timeline positions) used to prefill the composer again.
    prompt = models.TextField()
    request = models.JSONField(default=dict)
    composition = models.JSONField(default=dict)
    resolution = models.CharField(max_length=5, default="720p")
    duration = models.CharField(max_length=4, default="5s")
    aspect_ratio = models.CharField(max_length=5, blank=True)
    hdr = models.BooleanField(default=False)
    exr_export = models.BooleanField(default=False)
    loop = models.BooleanField(default=False)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    price_estimated = models.BooleanField(default=False)

    # Where it went and what came back.
    api_base_url = models.CharField(max_length=300, blank=True)
    remote_id = models.UUIDField(null=True, blank=True, unique=True)
    submit_token = models.UUIDField(null=True, blank=True, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.TextField(blank=True)
    error_detail = models.TextField(blank=True)  # a refusal's `detail`, or the last error

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # first seen processing
    finished_at = models.DateTimeField(null=True, blank=True)

    # Poller bookkeeping: when to look next, and a lease so one poller works a row at a time.
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    poll_failures = models.PositiveIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    outputs_ready = models.BooleanField(default=False)  # downloaded and derived

    # Facts of the produced video (from the downloaded file).
    duration_s = models.FloatField(null=True, blank=True)

    # Review, kept on the row so the gallery renders with a constant number of queries.
    approval = models.CharField(max_length=20, choices=Approval.choices, default=Approval.PENDING)
    comment_count = models.PositiveIntegerField(default=0)
    picked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="gen_team_newest"),
            models.Index(fields=["state", "next_poll_at"], name="gen_poll_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in GenerationState]),
                name="generation_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="generation_price_non_negative"
            ),
            # Once the API has said anything about it, its id is known.
            models.CheckConstraint(
                condition=~models.Q(state__in=["queued", "processing", "completed", "failed"])
                | models.Q(remote_id__isnull=False),
                name="generation_remote_id_when_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"

    def get_kind_display(self) -> str:
        return {"video": "Video", "video_edit": "Edit", "video_reframe": "Reframe"}.get(
            self.kind, self.kind
        )

    @property
    def is_in_flight(self) -> bool:
        return self.state in self.IN_FLIGHT

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED


class ProgressEvent(models.Model):
    """One step in a generation's life: submitted, queued, processing, downloaded, retries."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30)  # e.g. submitted, state, downloaded, retry, error
    state = models.CharField(max_length=12, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class Output(models.Model):
    """A file the studio keeps for a generation: downloaded originals and derived media."""

    class Kind(models.TextChoices):
        VIDEO = "video", "Original video"
        EXR = "exr", "EXR frames (zip)"
        PREVIEW = "preview", "Browser preview"  # H.264 SDR copy of an HDR original
        POSTER = "poster", "Poster frame"
        THUMBS = "thumbs", "Thumbnail strip"

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="outputs/%Y/%m/", max_length=300)
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    frames = models.PositiveIntegerField(null=True, blank=True)
    codec = models.CharField(max_length=20, blank=True)
    hdr = models.BooleanField(default=False)
    meta = models.JSONField(default=dict, blank=True)  # e.g. thumbnail strip tile size
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["generation", "kind"], name="one_output_per_kind"),
        ]
