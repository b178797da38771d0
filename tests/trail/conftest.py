"""Fixtures of the trail tests: the approvals' fixtures (a client per user, the seed plan at
each stage), and a way to get past the trail's triggers, as an attacker with the database's
password would, to prove that what they change is still found."""

from __future__ import annotations

import pytest
from django.db import connection

from documents.triggers import TRAIL_TABLES, drop_trigger_sql, trigger_sql
from tests.approvals.conftest import client_for, issued, submitted

__all__ = ["client_for", "issued", "submitted", "no_triggers", "raw"]


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def no_triggers(db):
    """The triggers dropped for the test (and put back after it)."""
    for table in TRAIL_TABLES:
        for statement in drop_trigger_sql(connection.vendor, table):
            raw(statement)
    yield
    for table in TRAIL_TABLES:
        for statement in trigger_sql(connection.vendor, table):
            raw(statement)
