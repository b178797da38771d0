"""Django's flush, for an audit trail that refuses DELETE.

Flushing empties every table, the trail included; SQLite's DELETE would be refused by the
trail's triggers (documents/triggers.py), so they are dropped for the flush and put back
after it, in the same order as the migration puts them. PostgreSQL's flush is TRUNCATE,
which row triggers do not see."""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections

from documents.triggers import TRAIL_TABLES, drop_trigger_sql, trigger_sql


class Command(flush.Command):
    def handle(self, **options):  # type: ignore[no-untyped-def]
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        tables = set(connection.introspection.table_names())
        present = [table for table in TRAIL_TABLES if table in tables]
        with connection.cursor() as cursor:
            for table in present:
                for statement in drop_trigger_sql(connection.vendor, table):
                    cursor.execute(statement)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for table in present:
                    for statement in trigger_sql(connection.vendor, table):
                        cursor.execute(statement)
