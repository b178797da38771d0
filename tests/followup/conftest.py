"""Fixtures of the follow-up tests: a logged-in client per user, as in tests/approvals."""

from tests.approvals.conftest import client_for

__all__ = ["client_for"]
