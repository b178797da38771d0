"""Fill the search entries (documents.search) of the documents that exist: their metadata,
body, recipients, tasks and sender, normalised. The text of their files is added by
``manage.py reindex_search`` (reading every stored file is no migration's work)."""

from django.db import migrations

from documents.search.text import stored

HEAD_SEPARATOR = "|"  # documents.search.index.HEAD_SEPARATOR


def fill_entries(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    SearchEntry = apps.get_model("documents", "SearchEntry")
    RecipientLine = apps.get_model("documents", "RecipientLine")
    Assignment = apps.get_model("documents", "Assignment")
    IncomingRecord = apps.get_model("documents", "IncomingRecord")
    documents = Document.objects.filter(search_entry__isnull=True).select_related("document_type")
    batch = []
    for document in documents.order_by("pk").iterator(chunk_size=500):
        pk = document.pk
        head = stored(
            [document.type_name or document.document_type.name, document.notation, document.subject]
        )
        rest = stored(
            [
                document.body,
                document.signer_name,
                document.signer_title,
                document.issuer_name,
                *IncomingRecord.objects.filter(document_id=pk).values_list(
                    "sender_name", flat=True
                ),
                *RecipientLine.objects.filter(document_id=pk).values_list("text", flat=True),
                *Assignment.objects.filter(plan_id=pk).values_list("task", flat=True),
            ]
        )
        batch.append(SearchEntry(document_id=pk, text=f"{head}{HEAD_SEPARATOR}{rest}"))
        if len(batch) >= 500:
            SearchEntry.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    SearchEntry.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("documents", "0015_records_office")]

    operations = [migrations.RunPython(fill_entries, migrations.RunPython.noop)]
