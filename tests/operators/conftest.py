"""The operators' admin is tested against the review tests' Northwind world."""

from __future__ import annotations

from tests.review.conftest import world  # noqa: F401 - fixtures
