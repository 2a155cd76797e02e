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

from studio.contract.models import DEFAULT_DURATION, DEFAULT_RESOLUTION
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
    """Where a generation stands; every change between them is made in ``lifecycle``."""

    WAITING = "waiting", "Waiting"  # recorded, waiting for the sender (and a free slot)
    UPLOADING = "uploading", "Uploading inputs"  # the sender is uploading its inputs
    SENDING = "sending", "Sending"  # a slot is taken and the create is being sent
    UNCERTAIN = "uncertain", "Submission uncertain"  # sent, outcome unknown
    REFUSED = "refused", "Refused"  # the API answered with an error; nothing was created
    DROPPED = "dropped", "Dropped"  # an uncertain submission the person chose to drop
    CANCELLED = "cancelled", "Cancelled"  # cancelled while waiting; nothing was sent
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ApiGovernor(models.Model):
    """One generation API and key (by fingerprint, never the key itself) and its limits.

    The sender keeps every create within ``max_concurrent`` running jobs and ``max_rpm``
    creates in a sliding minute per key, across any number of senders: the counts come
    from the database (generations and ``CreateAttempt`` rows), and a decision is made
    under a lock on this row.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    base_url = models.CharField(max_length=300)
    max_concurrent = models.PositiveIntegerField(default=10)
    max_rpm = models.PositiveIntegerField(default=30)
    # The API's own X-RateLimit-Limit when it announced one (the lower of the two counts).
    api_rpm = models.PositiveIntegerField(null=True, blank=True)
    # Nothing is sent before this (a 429's Retry-After, or X-RateLimit-Reset at 0 left).
    blocked_until = models.DateTimeField(null=True, blank=True)
    # What the last sender pass saw, for the "why is it waiting" line.
    running = models.PositiveIntegerField(default=0)
    next_slot_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.base_url} ({self.fingerprint[:8]})"

    @property
    def rpm_limit(self) -> int:
        return min(self.max_rpm, self.api_rpm) if self.api_rpm else self.max_rpm


class CreateAttempt(models.Model):
    """A create the API answered, at the time its answer arrived (the sliding minute)."""

    governor = models.ForeignKey(ApiGovernor, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["governor", "at"], name="attempt_window")]


class Batch(models.Model):
    """Takes sent together: one composition several times, or varied across its takes."""

    class Kind(models.TextChoices):
        TAKES = "takes", "Takes"
        PROMPTS = "prompts", "Prompt list"
        SWEEP = "sweep", "Sweep"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="batches")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="batches"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TAKES)
    # For a sweep: which parameter varies (resolution, duration, aspect_ratio, strength).
    varies = models.CharField(max_length=20, blank=True)
    size = models.PositiveSmallIntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.size}"


class GenerationQuerySet(models.QuerySet["Generation"]):
    def live(self) -> GenerationQuerySet:
        """Not in the trash: what the gallery, the pickers, compare and lists show."""
        return self.filter(trashed_at__isnull=True)

    def in_trash(self) -> GenerationQuerySet:
        """In the trash and not yet purged (still restorable)."""
        return self.filter(trashed_at__isnull=False, purged_at__isnull=True)


class Stack(models.Model):
    """The versions of one shot over time (v1, v2, …), unlike a batch's takes sent together.

    Its versions are the generations whose ``stack`` it is, numbered by ``version``.
    ``current`` is the version the team settled on; while nobody has chosen one, the
    latest version counts as current (``studio.generations.stacks.current_of``).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="stacks")
    current = models.ForeignKey(
        "Generation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Stack {self.pk}"


class Generation(models.Model):
    State = GenerationState
    # The API's states that the poller keeps polling.
    IN_FLIGHT = (State.QUEUED, State.PROCESSING)
    # Recorded but not yet at the API: the sender's part.
    UNSENT = (State.WAITING, State.UPLOADING, State.SENDING)
    FINISHED = (
        State.COMPLETED,
        State.FAILED,
        State.REFUSED,
        State.DROPPED,
        State.CANCELLED,
    )

    class Action(models.TextChoices):
        CREATE = "create", "New"
        EXTEND_FORWARD = "extend_forward", "Extend forward"
        EXTEND_BACKWARD = "extend_backward", "Extend backward"
        EDIT = "edit", "Edit"
        REFRAME = "reframe", "Reframe"
        REMIX = "remix", "Remix"
        PROMOTE = "promote", "Draft → final"
        IMPORT = "import", "Imported"

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
    resolution = models.CharField(max_length=5, default=DEFAULT_RESOLUTION)
    duration = models.CharField(max_length=4, default=DEFAULT_DURATION)
    aspect_ratio = models.CharField(max_length=5, blank=True)
    hdr = models.BooleanField(default=False)
    exr_export = models.BooleanField(default=False)
    loop = models.BooleanField(default=False)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    price_estimated = models.BooleanField(default=False)

    # Takes recorded together share a batch.
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="takes"
    )
    take_index = models.PositiveSmallIntegerField(null=True, blank=True)
    # Versions of one shot over time share a stack, numbered from 1 (see ``stacks``).
    stack = models.ForeignKey(
        Stack, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(null=True, blank=True)

    # Where it went and what came back. ``api_source`` says whose key goes with
    # ``api_base_url`` (the team's own API or the studio's): see ``routing``.
    api_base_url = models.CharField(max_length=300, blank=True)
    api_source = models.CharField(max_length=6, blank=True)
    governor = models.ForeignKey(
        ApiGovernor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remote_id = models.UUIDField(null=True, blank=True, unique=True)
    submit_token = models.UUIDField(null=True, blank=True, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.TextField(blank=True)
    error_detail = models.TextField(blank=True)  # a refusal's `detail`, or the last error

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # first seen processing
    finished_at = models.DateTimeField(null=True, blank=True)

    # Sender bookkeeping: the order within the author's own queue, a pause after a
    # failed attempt, and how far the upload of its inputs got.
    queue_order = models.DateTimeField(default=timezone.now)
    not_before = models.DateTimeField(null=True, blank=True)
    inputs_ready = models.BooleanField(default=False)
    uploads_done = models.PositiveSmallIntegerField(default=0)
    uploads_total = models.PositiveSmallIntegerField(default=0)

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

    # The trash: set while it is in the trash; ``purged_at`` once its files are gone for
    # good (the row stays as a tombstone). Changed only in ``studio.generations.trash``.
    trashed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = GenerationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="gen_team_newest"),
            # The gallery's "most commented" sort reads it in order and stops after a page.
            models.Index(
                fields=["team", "-comment_count", "-created_at", "-id"],
                name="gen_team_most_commented",
            ),
            models.Index(fields=["state", "next_poll_at"], name="gen_poll_due"),
            models.Index(fields=["state", "governor"], name="gen_state_governor"),
            models.Index(fields=["batch", "take_index"], name="gen_batch_take"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in GenerationState]),
                name="generation_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="generation_price_non_negative"
            ),
            # A version number exactly when in a stack, and each number once per stack.
            models.CheckConstraint(
                condition=models.Q(stack__isnull=True, version__isnull=True)
                | models.Q(stack__isnull=False, version__gte=1),
                name="generation_version_in_stack",
            ),
            models.UniqueConstraint(fields=["stack", "version"], name="one_generation_per_version"),
            # Once the API has said anything about it, its id is known.
            models.CheckConstraint(
                condition=~models.Q(state__in=["queued", "processing", "completed", "failed"])
                | models.Q(remote_id__isnull=False),
                name="generation_remote_id_when_accepted",
            ),
            # A purged generation went through the trash, and never comes back from it.
            models.CheckConstraint(
                condition=models.Q(purged_at__isnull=True) | models.Q(trashed_at__isnull=False),
                name="generation_purged_only_from_trash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"

    def get_kind_display(self) -> str:
        return {"video": "Video", "video_edit": "Edit", "video_reframe": "Reframe"}.get(
            self.kind, self.kind
        )

    @property
    def headline(self) -> str:
        """What the clip is, for its page's title and heading: the start of its prompt,
        its type and resolution (a reader of tabs or headings hears what it shows)."""
        words = " ".join(self.prompt.split())
        # Cut at a word: half a word reads aloud as nonsense.
        start = words if len(words) <= 60 else words[:60].rsplit(" ", 1)[0] + "…"
        return " · ".join(
            part for part in (start, self.get_kind_display(), self.resolution) if part
        )

    @property
    def is_in_flight(self) -> bool:
        return self.state in self.IN_FLIGHT

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def is_unsent(self) -> bool:
        return self.state in self.UNSENT

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


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


class Chore(models.Model):
    """A periodic job of the workers (the trash's purge, retention) and who holds it.

    Any number of pollers run it; a conditional UPDATE on ``lease_until`` lets one of them
    take it at a time, and ``done_at`` says when it last ran to the end.
    """

    name = models.CharField(max_length=40, unique=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
