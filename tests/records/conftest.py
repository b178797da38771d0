"""Fixtures of the records office's tests: the approvals' clients and the seed plan's stages."""

from tests.approvals.conftest import client_for, issued, submitted  # noqa: F401
