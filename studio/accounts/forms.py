from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from studio.accounts import throttle


class SignInForm(AuthenticationForm):
    """Sign in with an email address (accounts use the email as their username).

    A failure reads the same whether or not the email has an account; so does the refusal
    once too many failures came for the email from one address (studio/accounts/throttle.py).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        # The email is not case-sensitive; the password is, as always.
        "invalid_login": "Please enter a correct email and password.",
    }
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def get_invalid_login_error(self) -> ValidationError:
        if throttle.is_locked_out(self.request):
            return ValidationError(throttle.lockout_message(), code="locked_out")
        return super().get_invalid_login_error()
