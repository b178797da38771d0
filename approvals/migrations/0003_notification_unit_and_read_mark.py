"""Step 1 of 3: notifications to a person or to a unit (one row per unit event, not per
member), and one read mark per person instead of a read time per row.

Existing rows stay readable: per-member "distributed" rows of one document become one row
per recipient unit (reusing the newest of their ids), and each person's read mark is set just
below their oldest unread notification, so nothing unread becomes read.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0002_notification"),
        ("documents", "0004_copy_names_and_receivers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationReadMark",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="notification_read_mark",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người đọc",
                    ),
                ),
                (
                    "read_up_to",
                    models.PositiveBigIntegerField(default=0, verbose_name="đã đọc đến thông báo"),
                ),
            ],
            options={
                "verbose_name": "mốc đã đọc thông báo",
                "verbose_name_plural": "mốc đã đọc thông báo",
                "default_permissions": (),
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="documents.unit",
                verbose_name="đơn vị nhận",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người nhận",
            ),
        ),
    ]
