"""Step 2 of 3: existing notifications in the new shape (a migration of its own: on
PostgreSQL a table cannot be altered in the transaction that updated its rows)."""

from django.db import migrations


def read_marks_from_read_times(apps, schema_editor):
    Notification = apps.get_model("approvals", "Notification")
    NotificationReadMark = apps.get_model("approvals", "NotificationReadMark")
    people = Notification.objects.values_list("recipient_id", flat=True).distinct()
    marks = []
    for person in people.order_by():
        theirs = Notification.objects.filter(recipient_id=person)
        oldest_unread = theirs.filter(read_at__isnull=True).order_by("pk").first()
        if oldest_unread is not None:
            read_up_to = oldest_unread.pk - 1
        else:
            read_up_to = theirs.order_by("-pk").values_list("pk", flat=True).first() or 0
        if read_up_to > 0:
            marks.append(NotificationReadMark(user_id=person, read_up_to=read_up_to))
    NotificationReadMark.objects.bulk_create(marks, batch_size=1000)


def one_row_per_recipient_unit(apps, schema_editor):
    Notification = apps.get_model("approvals", "Notification")
    Receipt = apps.get_model("documents", "Receipt")
    per_member = Notification.objects.filter(kind="distributed", recipient__isnull=False)
    documents = per_member.values_list("document_id", flat=True).distinct().order_by()
    for document_id in list(documents):
        # The newest ids: a member who had not read theirs (read mark below it) still has
        # the unit's row unread.
        rows = list(per_member.filter(document_id=document_id).order_by("-pk"))
        units = list(
            Receipt.objects.filter(document_id=document_id)
            .order_by("unit_id")
            .values_list("unit_id", flat=True)
        )
        if not units:
            continue  # nothing says which units they were for: left as they are
        first = rows[0]
        for row, unit_id in zip(rows, units, strict=False):
            Notification.objects.filter(pk=row.pk).update(recipient=None, unit_id=unit_id)
        for unit_id in units[len(rows) :]:
            Notification.objects.create(
                unit_id=unit_id,
                document_id=document_id,
                kind=first.kind,
                message=first.message,
                url=first.url,
                created_at=first.created_at,
            )
        Notification.objects.filter(pk__in=[row.pk for row in rows[len(units) :]]).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0003_notification_unit_and_read_mark")]

    operations = [
        migrations.RunPython(read_marks_from_read_times, migrations.RunPython.noop),
        migrations.RunPython(one_row_per_recipient_unit, migrations.RunPython.noop),
    ]
