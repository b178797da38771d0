"""Indexes that give viewflow's lists their order, so a page reads its rows from an index
instead of sorting every task of the person (issue 13, measured at 100,000 documents):

- inbox: a person's tasks newest first (owner_id, created), the open ones picked on the way;
- archive: a person's finished tasks, last finished first (owner_id, finished);
- every task of the visible documents, newest first (created).
Plain SQL that PostgreSQL and SQLite both understand, as 0006."""

from django.db import migrations

INDEXES = {
    "vanthu_task_owner_created": "viewflow_task (owner_id, created)",
    "vanthu_task_owner_finished": "viewflow_task (owner_id, finished)",
    "vanthu_task_created": "viewflow_task (created)",
}


class Migration(migrations.Migration):
    dependencies = [("approvals", "0006_task_list_indexes")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {columns}",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
