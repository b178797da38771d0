"""Existing documents get their access rows: drafter, signer, recipient units' groups, and
the role audiences their state gives (documents.permissions, written out here as it stands
today: migrations must not import code that changes later)."""

from django.db import migrations

LOCKED = ("signed", "issued", "archived")
ISSUED = ("issued", "archived")


def forwards(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    DocumentAccess = apps.get_model("documents", "DocumentAccess")
    Receipt = apps.get_model("documents", "Receipt")
    groups = {}
    for document_id, group_id in Receipt.objects.values_list("document_id", "unit__group_id"):
        groups.setdefault(document_id, set()).add(group_id)
    batch = []
    for document in Document.objects.iterator(chunk_size=2000):
        audiences = set()
        for user_id in (document.drafter_id, document.signer_id):
            if user_id:
                audiences.add(f"user:{user_id}")
        audiences |= {f"group:{pk}" for pk in groups.get(document.pk, ())}
        open_to_all = not document.confidentiality
        if document.origin == "reference" and open_to_all:
            audiences.add("all")
        if document.status in LOCKED:
            audiences.add(f"clerks:{document.organization_id}")
        if document.status in ISSUED and open_to_all:
            audiences.add(f"leaders:{document.organization_id}")
        batch += [
            DocumentAccess(document=document, audience=audience, created_at=document.created_at)
            for audience in audiences
        ]
        if len(batch) >= 5000:
            DocumentAccess.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    DocumentAccess.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_document_access_and_list_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
