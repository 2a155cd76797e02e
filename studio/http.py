"""The request type of views that only a signed-in person reaches.

`@login_required` (or the API's token check) guarantees `request.user` is a real account, so
such a view takes an `AuthedRequest` and reads `request.user` as a `User`, not as
`User | AnonymousUser`.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthedRequest(HttpRequest):
    user: User
