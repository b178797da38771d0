"""The tamper-evident trail: events become links of hash chains, checkpoints seal the chains'
heads, and database triggers refuse UPDATE and DELETE on both tables (SQLite and PostgreSQL).

Events written before this migration are chained here, per document in the order they were
written (created_at, id)."""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from documents import audit_format
from documents.triggers import POSTGRES_FUNCTION, TRAIL_TABLES, drop_trigger_sql, trigger_sql


def chain_existing(apps, schema_editor):
    Event = apps.get_model("documents", "Event")
    last: dict[str, tuple[int, str]] = {}
    for event in Event.objects.order_by("document_id", "created_at", "pk").iterator():
        chain = audit_format.document_chain(event.document_id)
        seq, prev = last.get(chain, (0, audit_format.GENESIS))
        seq += 1
        created = event.created_at.astimezone(datetime.UTC)
        event.chain, event.seq, event.prev = chain, seq, prev
        event.hash = audit_format.event_hash(
            chain,
            seq,
            prev,
            created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            event.document_id,
            event.actor_id,
            event.role,
            event.kind,
            event.comment,
            event.data,
        )
        event.save(update_fields=["chain", "seq", "prev", "hash"])
        last[chain] = (seq, event.hash)


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
    for table in TRAIL_TABLES:
        for statement in trigger_sql(vendor, table):
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for table in TRAIL_TABLES:
        for statement in drop_trigger_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0012_followup_assignments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Tạo dự thảo"),
                    ("edited", "Chỉnh sửa dự thảo"),
                    ("submitted", "Trình ký"),
                    ("returned", "Trả lại để chỉnh sửa"),
                    ("rejected", "Không duyệt"),
                    ("signed_off", "Ký duyệt"),
                    ("issued", "Cho số, ban hành"),
                    ("distributed", "Gửi đến nơi nhận"),
                    ("acknowledged", "Xác nhận đã nhận"),
                    ("archived", "Lưu trữ"),
                    ("attached", "Đính kèm tệp"),
                    ("handed_over", "Giao xác nhận cho người khác"),
                    ("rendered", "Tạo bản gốc có chữ ký số"),
                    ("render_failed", "Không tạo được bản gốc có chữ ký số"),
                    ("render_requested", "Yêu cầu tạo lại bản gốc có chữ ký số"),
                    ("assigned", "Giao nhiệm vụ cho đơn vị"),
                    ("task_reported", "Đơn vị báo cáo kết quả thực hiện"),
                    ("task_done", "Xác nhận hoàn thành nhiệm vụ"),
                    ("task_sent_back", "Yêu cầu báo cáo lại"),
                    ("task_overdue", "Nhiệm vụ quá hạn"),
                    ("read", "Xem văn bản mật"),
                    ("original_altered", "Phát hiện tệp lưu trữ bị thay đổi"),
                    ("rights_changed", "Thay đổi quyền, vai trò người dùng"),
                    ("organisation_changed", "Thay đổi tổ chức, đơn vị"),
                ],
                max_length=30,
                verbose_name="hành động",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="thời điểm"
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="document",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="documents.document",
                verbose_name="văn bản",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="chain",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="chuỗi"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="seq",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="số thứ tự trong chuỗi"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="prev",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="mã băm trước"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="mã băm"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="event_chain_seq_unique"
            ),
        ),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveIntegerField(unique=True, verbose_name="số thứ tự")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="thời điểm"
                    ),
                ),
                ("prev", models.CharField(max_length=64, verbose_name="mã băm trước")),
                ("hash", models.CharField(max_length=64, verbose_name="mã băm")),
                ("heads", models.JSONField(default=dict, verbose_name="đầu các chuỗi")),
                ("signature", models.TextField(blank=True, verbose_name="chữ ký số")),
                ("signer", models.CharField(blank=True, max_length=255, verbose_name="người ký")),
            ],
            options={
                "verbose_name": "điểm niêm phong nhật ký",
                "verbose_name_plural": "điểm niêm phong nhật ký",
                "ordering": ["seq"],
                "default_permissions": ("view",),
            },
        ),
        migrations.CreateModel(
            name="SealedHead",
            fields=[
                ("chain", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("seq", models.PositiveIntegerField()),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
