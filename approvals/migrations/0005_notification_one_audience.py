"""Step 3 of 3: a notification has exactly one audience, served by its index; the read time
per row is gone (the read marks hold it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("approvals", "0004_notification_rows_per_unit_and_read_marks")]

    operations = [
        migrations.AlterModelOptions(
            name="notification",
            options={
                "ordering": ["-pk"],
                "verbose_name": "thông báo",
                "verbose_name_plural": "thông báo",
            },
        ),
        migrations.RemoveIndex(model_name="notification", name="notification_unread"),
        migrations.RemoveField(model_name="notification", name="read_at"),
        migrations.AlterField(
            model_name="notification",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="thời điểm"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "id"], name="notification_person"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["unit", "id"], name="notification_unit"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(recipient__isnull=False, unit__isnull=True)
                | models.Q(recipient__isnull=True, unit__isnull=False),
                name="notification_one_audience",
            ),
        ),
    ]
