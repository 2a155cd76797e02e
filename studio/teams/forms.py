from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from studio.teams.models import Role

MAX_INVITE_DAYS = 30


class BudgetField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("help_text", "USD per calendar month; empty for no limit.")
        super().__init__(**kwargs)


class TeamBudgetForm(forms.Form):
    monthly_budget = BudgetField(label="Team monthly budget")


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    monthly_budget = BudgetField(label="Monthly budget")


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email of an existing account")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)

    def clean_email(self) -> Any:
        email = self.cleaned_data["email"].strip().lower()
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                "No account uses this email. Send them an invite link instead."
            )
        self.user = user
        return email


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)
    days = forms.IntegerField(
        label="Valid for (days)", min_value=1, max_value=MAX_INVITE_DAYS, initial=7
    )


class ApiSettingsForm(forms.Form):
    api_base_url = forms.URLField(
        label="API base URL",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="Empty: the studio's default API.",
    )
    api_key = forms.CharField(
        label="API key",
        required=False,
        max_length=300,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current key.",
    )
    clear_key = forms.BooleanField(label="Remove the stored key", required=False)
