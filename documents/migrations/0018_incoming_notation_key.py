"""IncomingRecord.notation_key: the notation as the duplicate check compares it (casefolded in
Python, spaces removed), filled for the records already registered."""

import re

from django.db import migrations, models

_SPACES = re.compile(r"\s+")


def fill_keys(apps, schema_editor):
    IncomingRecord = apps.get_model("documents", "IncomingRecord")
    records = IncomingRecord.objects.select_related("document").only("pk", "document__notation")
    changed = []
    for record in records.iterator(chunk_size=1000):
        record.notation_key = _SPACES.sub("", record.document.notation or "").casefold()[:60]
        changed.append(record)
        if len(changed) >= 1000:
            IncomingRecord.objects.bulk_update(changed, ["notation_key"])
            changed = []
    if changed:
        IncomingRecord.objects.bulk_update(changed, ["notation_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0017_incoming_handling_event_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalincomingrecord",
            name="notation_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=60),
        ),
        migrations.AddField(
            model_name="incomingrecord",
            name="notation_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=60),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
