from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from studio import outbound
from studio.accounts.passwords import validate_new_password
from studio.teams.models import MAX_INVITE_USES, Invite, Role

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


def email_taken(email: str) -> bool:
    users = get_user_model().objects
    return users.filter(email__iexact=email).exists() or users.filter(username=email).exists()


class SignUpForm(forms.Form):
    """A new account for someone opening an invite link; the email becomes the username.

    Nothing here depends on whether the email already has an account, so the form never
    tells: the view decides by the credentials (studio/teams/views.py `_join_as_newcomer`).
    """

    # The username column holds the email, so the email may be no longer than it.
    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    email = forms.EmailField(
        label="Email", max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        if password1:
            try:
                validate_new_password(
                    password1, email=data.get("email", ""), name=data.get("name", "")
                )
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)
    days = forms.IntegerField(
        label="Valid for (days)", min_value=1, max_value=MAX_INVITE_DAYS, initial=7
    )
    # Empty: once.
    uses = forms.IntegerField(
        label="Uses", min_value=1, max_value=MAX_INVITE_USES, initial=1, required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("uses") is None and "uses" not in self.errors:
            data["uses"] = 1
        if "role" in data and data.get("uses") is not None:
            # The invite's own rules (an owner's link works once), stated on the model.
            try:
                Invite(role=data["role"], max_uses=data["uses"]).clean()
            except ValidationError as error:
                self.add_error("uses", error.message_dict["max_uses"])
        return data


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
    api_max_concurrent = forms.IntegerField(
        label="Running jobs at most",
        required=False,
        min_value=1,
        max_value=1000,
        help_text="Of the team's own key. Empty: the studio's default.",
    )
    api_max_rpm = forms.IntegerField(
        label="Creates a minute at most",
        required=False,
        min_value=1,
        max_value=10000,
        help_text="Of the team's own key. Empty: the studio's default.",
    )

    def clean_api_base_url(self) -> str:
        url = self.cleaned_data["api_base_url"].strip()
        if url:
            # The rule lives beside the guard that checks every connection again later.
            try:
                outbound.check_api_base_url(url)
            except outbound.Refused as refused:
                raise ValidationError(str(refused)) from None
        return url.rstrip("/")


def report_errors(request: HttpRequest, form: forms.BaseForm, *, labelled: bool = True) -> None:
    """A form's errors as messages on the team page, each after its field's name unless
    ``labelled`` is off (forms whose errors already say what they are about)."""
    for field, errors in form.errors.items():
        label = (
            f"{field.replace('_', ' ').capitalize()}: " if labelled and field != "__all__" else ""
        )
        for error in errors:  # an ErrorList yields its messages as text
            messages.error(request, f"{label}{error}")
