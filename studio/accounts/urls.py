from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from studio.accounts.forms import SignInForm

app_name = "accounts"

urlpatterns = [
    path(
        "signin/",
        auth_views.LoginView.as_view(
            template_name="accounts/signin.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
]
