"""Existing rows: signed documents keep the names they were signed under, pending receipts
stay with the unit's designated receiver, and an internal unit's receiver becomes its head."""

from django.db import migrations


def forwards(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    Receipt = apps.get_model("documents", "Receipt")
    Unit = apps.get_model("documents", "Unit")
    signed = Document.objects.exclude(content_hash="").select_related(
        "document_type", "organization", "drafting_unit"
    )
    for document in signed.iterator():
        Document.objects.filter(pk=document.pk).update(
            type_name=document.document_type.name,
            type_abbreviation=document.document_type.abbreviation,
            issuer_name=document.organization.name,
            issuer_abbreviation=document.organization.abbreviation,
            issuer_parent_name=document.organization.parent_name,
            drafting_unit_abbreviation=(
                document.drafting_unit.abbreviation if document.drafting_unit else ""
            ),
        )
    for unit in Unit.objects.exclude(receiver=None):
        Receipt.objects.filter(unit=unit, status="pending", assignee=None).update(
            assignee_id=unit.receiver_id
        )
        if unit.kind == "internal" and not unit.is_records_office and unit.head_id is None:
            Unit.objects.filter(pk=unit.pk).update(head_id=unit.receiver_id)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_frozen_names_assignee_unit_head_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
