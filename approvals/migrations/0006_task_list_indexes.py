"""Indexes on viewflow's tables for our lists (viewflow ships only single-column ones).

- inbox and archive: a person's tasks by status, newest first (owner_id, status, created);
- queue: unassigned tasks of a permission by status (status, owner_permission, created);
- process list: newest first (created).
Plain SQL that PostgreSQL and SQLite both understand; viewflow's own migrations are left as
they are."""

from django.db import migrations

INDEXES = {
    "vanthu_task_owner_status": "viewflow_task (owner_id, status, created)",
    "vanthu_task_queue": "viewflow_task (status, owner_permission, created)",
    "vanthu_process_created": "viewflow_process (created)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_notification_one_audience"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {columns}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
