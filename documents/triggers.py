"""Database triggers that make the audit trail append-only, on PostgreSQL and SQLite.

Installed by migration 0013; ``manage.py flush`` (documents/management/commands/flush.py) lifts
them for the time of a flush, which empties every table anyway."""

from __future__ import annotations

TRAIL_TABLES = ("documents_event", "documents_checkpoint")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION vanthu_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def trigger_sql(vendor: str, table: str) -> list[str]:
    """The statements that make ``table`` append-only."""
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION vanthu_trail_append_only();",
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on {table} refused'); "
            "END;",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE on {table} refused'); "
            "END;",
        ]
    return []


def drop_trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
        ]
    return []
