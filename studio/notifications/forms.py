from __future__ import annotations

from typing import Any

from django import forms

from studio.notifications.models import Channel, Kind


class PreferencesForm(forms.Form):
    """One channel per kind of notification."""

    def __init__(self, *args: Any, initial_channels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Channel.choices, initial=initial_channels[kind.value]
            )

    def channels(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in Kind.values}
