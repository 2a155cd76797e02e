"""Sign-in throttling: failed sign-ins are counted per (email, network address) by django-axes.

After STUDIO_SIGNIN_FAILURE_LIMIT failures for one email from one address, that pair is
refused for STUDIO_SIGNIN_COOLOFF_MINUTES, right password or not. The count is kept per
email *string*, so an email without an account is refused exactly like one with an account
(same message, same status, and no password hash is checked for either while refused).
Another address is not affected, so nobody can lock a person out of their own account
from elsewhere.

Every page that checks a password calls `django.contrib.auth.authenticate(request, ...)`
with the request: that is where the counting happens. The page's form shows
`lockout_message()` when `is_locked_out(request)`; axes' middleware then turns the page's
answer into a 429 (`lockout_response`).
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str | None:
    """The address a request comes from, as the throttle counts it.

    Directly reachable (STUDIO_PROXY_COUNT=0): the connection's own address; a client can
    write any X-Forwarded-For it likes, so that header is ignored. Behind N reverse
    proxies that each append the address they were reached from to X-Forwarded-For, the
    N-th entry from the right is the one the outermost proxy saw, the first the client
    cannot forge.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.STUDIO_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come the configured way, and the
        # header cannot be trusted.
        return remote
    return hops[-proxies]


# No account's email is longer (Django's EmailField), and axes keeps the name it counts
# in a column of 255 characters: a longer one, which no account can have, is counted cut.
USERNAME_MAX = 254


def client_username(request: HttpRequest | None, credentials: dict[str, object] | None) -> str:
    """The name a failure is counted under: the email as typed, cut to what a column holds."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return str(value or "")[:USERNAME_MAX]


def is_locked_out(request: HttpRequest | None) -> bool:
    """Whether the last authenticate() on this request was refused (or counted) as locked out."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_message() -> str:
    minutes = settings.STUDIO_SIGNIN_COOLOFF_MINUTES
    return (
        "Too many failed sign-ins for this email from your network. "
        f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """Axes' answer for a locked-out request: the page the person was on, as a 429.

    The page's form already says why (`lockout_message`), so the person keeps the page
    they know instead of a bare error page.
    """
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")


class SignInThrottle(AxesStandaloneBackend):
    """Refuses every password check while axes holds the (email, address) pair locked out.

    It authenticates nobody itself: the next backend checks the password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            # Not a sign-in from an address (a management command, the test client's
            # login()): there is nothing to count it by. Every page passes its request.
            return None
        return super().authenticate(request, username, password, **kwargs)
