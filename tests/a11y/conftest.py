"""The review tests' Northwind world and the poller tests' generation rows, shared with
the accessibility checks."""

from __future__ import annotations

from tests.poller.conftest import make_generation  # noqa: F401
from tests.review.conftest import world  # noqa: F401
