"""The composer's form: every Ray 3.2 parameter, judged by the contract's rule table."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from studio.composer.assets import UploadRejected, store_upload
from studio.composer.body import CONTROLS, MODES, build_body, problems
from studio.composer.resolver import SourceResolver
from studio.composer.sources import Source, find_source
from studio.composer.takes import MAX_TAKES, SWEEPS
from studio.contract import ASPECT_RATIOS, DURATIONS, RESOLUTIONS, STRENGTHS, duration_seconds
from studio.contract.models import (
    DEFAULT_DURATION,
    DEFAULT_RESOLUTION,
    POSE_STRENGTHS,
    PROMPT_MAX,
)
from studio.contract.parsing import MAX_FRAME, parse_id, parse_int
from studio.generations.models import Asset
from studio.teams.models import Membership

MODE_LABELS = {"video": "New video", "extend": "Extend", "edit": "Edit", "reframe": "Reframe"}
# The smallest resolution is the one for drafts; the others are named as they are.
RESOLUTION_LABELS = {RESOLUTIONS[0]: f"{RESOLUTIONS[0]} draft"}
CONTROL_MODES = (
    ("auto", "Automatic"),
    ("preset", "Strength preset"),
    ("manual", "Per-signal controls"),
)
STRENGTH_LABELS = {s: s.replace("_", " ").capitalize() for s in STRENGTHS}
# Inputs kept in Generation.composition so the composer can be filled in again.
COMPOSITION_FIELDS = (
    "mode", "prompt", "aspect_ratio", "resolution", "duration", "loop", "hdr", "exr_export",
    "start_frame", "end_frame", "keyframes", "source", "direction", "controls_mode", "strength",
    *(f"{name}_enabled" for name in CONTROLS),
    *(f"{name}_{param}" for name, params in CONTROLS.items() for param in params),
    "guide_frame", "edit_keyframes", "source_position",
)  # fmt: skip


class KeyframesField(forms.Field):
    """A JSON list of {"asset": id, "frame": n}, kept in a hidden input."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return json.dumps(value)
        return value or "[]"

    def to_python(self, value: Any) -> list[dict[str, int]]:
        if isinstance(value, list):
            items = value
        else:
            try:
                items = json.loads(value or "[]")
            except ValueError:  # not JSON, or a number too long to read
                raise forms.ValidationError("The keyframes could not be read.") from None
        if not isinstance(items, list):
            raise forms.ValidationError("The keyframes could not be read.")
        out = []
        for item in items:
            asset = item.get("asset") if isinstance(item, dict) else None
            frame = item.get("frame") if isinstance(item, dict) else None
            # JSON numbers only, within the range of the columns they end up compared
            # with: a larger asset id or frame names nothing (and overflows a query).
            if (
                not isinstance(asset, int)
                or parse_id(asset) is None
                or not isinstance(frame, int)
                or parse_int(frame, -MAX_FRAME, MAX_FRAME) is None
            ):
                raise forms.ValidationError("The keyframes could not be read.")
            out.append({"asset": asset, "frame": frame})
        return out


class AssetIdField(forms.Field):
    """A hidden asset id, read by the one parser of row ids: a larger number names no
    asset (and some databases fail the query instead of finding nothing)."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        parsed = parse_id(value if isinstance(value, int) else str(value).strip())
        if parsed is None:
            raise forms.ValidationError("That image could not be found: choose it again.")
        return parsed


class PositionField(forms.FloatField):
    def __init__(self, label: str) -> None:
        super().__init__(
            required=False, label=label, widget=forms.NumberInput(attrs={"step": "0.001"})
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _choices(
    values: tuple[str, ...], labels: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    return [(v, (labels or {}).get(v, v)) for v in values]


class ComposeForm(forms.Form):
    # Bound, a copy the uploads write the new asset ids back into (see __init__).
    data: QueryDict | dict[str, Any]
    submit_token = forms.UUIDField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        choices=list(MODE_LABELS.items()), initial="video", widget=forms.RadioSelect
    )
    prompt = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": PROMPT_MAX}),
        help_text="What happens in the shot: subject, action, camera, light.",
    )
    aspect_ratio = forms.ChoiceField(
        required=False, choices=[("", "Let the model choose"), *_choices(ASPECT_RATIOS)]
    )
    resolution = forms.ChoiceField(
        choices=_choices(RESOLUTIONS, RESOLUTION_LABELS),
        initial=DEFAULT_RESOLUTION,
        widget=forms.RadioSelect,
    )
    # Not required: inputs of sections the chosen mode hides are not sent at all.
    duration = forms.ChoiceField(
        required=False,
        choices=[(d, f"{duration_seconds(d)} s") for d in DURATIONS],
        initial=DEFAULT_DURATION,
        widget=forms.RadioSelect,
    )
    loop = forms.BooleanField(required=False)
    hdr = forms.BooleanField(required=False, label="HDR")
    exr_export = forms.BooleanField(required=False, label="EXR export")

    start_frame = AssetIdField()
    end_frame = AssetIdField()
    start_file = forms.FileField(required=False, label="Start frame")
    end_file = forms.FileField(required=False, label="End frame")
    keyframes = KeyframesField()
    keyframe_files = MultipleFileField(required=False, label="Keyframe images")
    keyframe_frames = forms.CharField(
        required=False,
        label="Their frames",
        help_text="Comma-separated frame numbers, one per image, e.g. 0, 60, 120.",
    )

    source = forms.CharField(required=False, widget=forms.Select)
    source_file = forms.FileField(required=False, label="Or upload a video")
    direction = forms.ChoiceField(
        required=False,
        choices=[
            ("forward", "Forward: continue after the clip"),
            ("backward", "Backward: lead into the clip"),
        ],
        initial="forward",
        widget=forms.RadioSelect,
    )

    controls_mode = forms.ChoiceField(
        required=False, choices=CONTROL_MODES, initial="auto", widget=forms.RadioSelect
    )
    strength = forms.ChoiceField(
        required=False, choices=[("", "—"), *_choices(STRENGTHS, STRENGTH_LABELS)]
    )
    depth_enabled = forms.BooleanField(required=False, label="Depth")
    depth_blur = forms.FloatField(required=False, min_value=0, max_value=1, label="Blur")
    face_enabled = forms.BooleanField(required=False, label="Face")
    normals_enabled = forms.BooleanField(required=False, label="Normals")
    normals_augmentation = forms.FloatField(
        required=False, min_value=0, max_value=1, label="Augmentation"
    )
    pose_enabled = forms.BooleanField(required=False, label="Pose")
    pose_strength = forms.ChoiceField(
        required=False, choices=[("", "—"), *_choices(POSE_STRENGTHS)], label="Strength"
    )
    trajectory_enabled = forms.BooleanField(required=False, label="Trajectory")
    trajectory_sparsity = forms.FloatField(
        required=False, min_value=0, max_value=1, label="Sparsity"
    )
    guide_frame = AssetIdField()
    guide_file = forms.FileField(required=False, label="Guide frame")
    edit_keyframes = KeyframesField()

    pos_x = PositionField("x")
    pos_y = PositionField("y")
    pos_w = PositionField("Width")
    pos_h = PositionField("Height")
    # Errors about the placement as a whole land here (the four inputs share it).
    source_position = forms.CharField(required=False, widget=forms.HiddenInput)

    # Takes and batches: how many, or what varies from one take to the next.
    takes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_TAKES,
        initial=1,
        label="Takes",
        help_text=f"1 to {MAX_TAKES} generations of this composition, sent as one batch.",
    )
    vary = forms.ChoiceField(
        required=False,
        initial="",
        label="Vary",
        choices=[
            ("", "Nothing: identical takes"),
            ("prompts", "The prompt: one take per line"),
            ("sweep", "One parameter: one take per value"),
        ],
        widget=forms.RadioSelect,
    )
    prompt_list = forms.CharField(
        required=False,
        label="Prompts, one per line",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sweep_param = forms.ChoiceField(
        required=False,
        label="Parameter",
        choices=[(name, label) for name, (_, _, label) in SWEEPS.items()],
    )
    sweep_values = forms.MultipleChoiceField(
        required=False,
        label="Values",
        choices=[
            (value, value)
            for value in dict.fromkeys(v for _, values, _ in SWEEPS.values() for v in values)
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, membership: Membership, sources: list[Source] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()  # uploads write the new asset ids back
        self.membership = membership
        self.team = membership.team
        self.chosen_source: Source | None = None
        self.body: dict[str, Any] | None = None
        self.assets: dict[int, Asset] = {}
        self.sources = sources or []
        self.fields["source"].widget.choices = [
            ("", "—"),
            *((s.key, s.label) for s in self.sources),
        ]

    # -- uploads that came with the form (the no-JavaScript path) --------------------

    def _store(
        self, field: str, upload: UploadedFile | None, want: str, purpose: str | None = None
    ) -> Asset | None:
        if not upload:
            return None
        try:
            return store_upload(
                upload.chunks(),
                team=self.team,
                user=self.membership.user,
                name=upload.name or "",
                want=want,
                purpose=purpose,
            )
        except UploadRejected as exc:
            self.add_error(field, f"{upload.name}: {exc}")
            return None

    def _take_uploads(self, c: dict[str, Any]) -> None:
        for field, target in (
            ("start_file", "start_frame"),
            ("end_file", "end_frame"),
            ("guide_file", "guide_frame"),
        ):
            asset = self._store(field, c.get(field), "image")
            if asset is not None:
                c[target] = asset.id
                self.data[target] = str(asset.id)
        purpose = c.get("mode") if c.get("mode") in ("edit", "reframe") else None
        asset = self._store("source_file", c.get("source_file"), "video", purpose)
        if asset is not None:
            c["source"] = f"a:{asset.id}"
            self.data["source"] = c["source"]
        files = c.get("keyframe_files") or []
        if files:
            self._take_keyframe_files(c, files)

    def _take_keyframe_files(self, c: dict[str, Any], files: list[UploadedFile]) -> None:
        text = (c.get("keyframe_frames") or "").replace(";", ",")
        parts = [part.strip() for part in text.split(",") if part.strip()]
        # Negative numbers pass: the contract says what is wrong with them.
        frames = [parse_int(part, -MAX_FRAME, MAX_FRAME) for part in parts]
        if None in frames:
            self.add_error("keyframe_frames", "Write whole frame numbers separated by commas.")
            return
        if len(frames) != len(files):
            self.add_error(
                "keyframe_frames", f"Give one frame number for each of the {len(files)} images."
            )
            return
        keyframes = list(c.get("keyframes") or [])
        for upload, frame in zip(files, frames, strict=True):
            asset = self._store("keyframe_files", upload, "image")
            if asset is not None:
                keyframes.append({"asset": asset.id, "frame": frame})
        c["keyframes"] = keyframes
        self.data["keyframes"] = json.dumps(keyframes)
        self.data["keyframe_frames"] = ""

    # -- the studio's own references -------------------------------------------------

    def _check_asset(self, field: str, asset_id: int | None, kind: str = "image") -> None:
        if asset_id is None:
            return
        asset = Asset.objects.filter(team=self.team, id=asset_id, kind=kind).first()
        if asset is None:
            self.add_error(field, "That image is no longer available: choose it again.")
        else:
            self.assets[asset.id] = asset

    def _check_refs(self, c: dict[str, Any]) -> None:
        for field in ("start_frame", "end_frame", "guide_frame"):
            self._check_asset(field, c.get(field))
        for field in ("keyframes", "edit_keyframes"):
            for item in c.get(field) or []:
                self._check_asset(field, item["asset"])
        key = c.get("source") or ""
        if key:
            self.chosen_source = find_source(self.team, key)
            if self.chosen_source is None:
                self.add_error("source", "That clip is not available: choose another one.")
            elif self.chosen_source.asset is not None:
                self.assets[self.chosen_source.asset.id] = self.chosen_source.asset
        if c.get("mode") == "edit" and c.get("controls_mode") == "preset" and not c.get("strength"):
            self.add_error("strength", "Choose one of the nine strength presets.")

    def _position(self, c: dict[str, Any]) -> dict[str, float] | None:
        values = [c.get(f"pos_{k}") for k in "xywh"]
        if all(v is None for v in values):
            return None
        if any(v is None for v in values):
            self.add_error(
                "source_position", "Give all four placement numbers, or none for a centred fit."
            )
            return None
        given = [v for v in values if v is not None]
        return dict(zip(("x_norm", "y_norm", "w_norm", "h_norm"), given, strict=True))

    def clean(self) -> dict[str, Any]:
        super().clean()
        c = self.cleaned_data
        if c.get("mode") not in MODES:
            return c
        if c.get("vary") == "prompts":
            lines = self.prompt_lines()
            if not lines:
                self.add_error("prompt_list", "Write one prompt per line.")
            elif len(lines) > MAX_TAKES:
                self.add_error("prompt_list", f"{len(lines)} prompts: at most {MAX_TAKES}.")
            elif not c.get("prompt"):
                c["prompt"] = lines[0]
        if c.get("vary") == "sweep" and not c.get("sweep_values"):
            self.add_error("sweep_values", "Tick the values to sweep over.")
        self._take_uploads(c)
        self._check_refs(c)
        c["source_position"] = self._position(c)
        if self.errors:
            return c
        source_ref = self.chosen_source.ref() if self.chosen_source else None
        body = build_body(c, source_ref, str(self.membership.api_user_id))
        # The contract judges the source too (its length, the grid of an edit's keyframes),
        # told what it is by the resolver.
        resolver = SourceResolver(self.chosen_source, self.assets.values())
        direction = c.get("direction") or "forward"
        for field, message in problems(body, c["mode"], direction, resolver):
            if field is None or field not in self.fields:
                self.add_error(None, message)
            elif message not in self.errors.get(field, []):
                self.add_error(field, message)
        self.body = body
        return c

    def composition(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {name: c.get(name) for name in COMPOSITION_FIELDS}

    def prompt_lines(self) -> list[str]:
        text = self.cleaned_data.get("prompt_list") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def batch_options(self) -> dict[str, Any]:
        """What ``takes.plan`` needs to expand this composition into its takes."""
        c = self.cleaned_data
        if c.get("vary") == "prompts":
            return {"prompts": self.prompt_lines()}
        if c.get("vary") == "sweep":
            return {"sweep": (c.get("sweep_param") or "resolution", c.get("sweep_values") or [])}
        return {"takes": c.get("takes") or 1}

    @property
    def source_seconds(self) -> float | None:
        return self.chosen_source.seconds if self.chosen_source else None


def new_token() -> str:
    return str(uuid.uuid4())
