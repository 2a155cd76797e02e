from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from studio.teams.models import Team


class TokenForm(forms.Form):
    """A new token: its name and one of the person's teams (any role may make one)."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "What it is for, e.g. render farm"}
        ),
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Team", empty_label=None)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the person's own teams: another team's id is "not one of the choices".
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.filter(memberships__user=user).order_by("name")
