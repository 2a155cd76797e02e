"""The review tests' Northwind world (two takes with real media, a comment, a share link),
shared with the security tests that open every page."""

from __future__ import annotations

from tests.review.conftest import world  # noqa: F401
