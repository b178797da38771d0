"""The append-only event log: what happened to a document, by whom, in which role, and why.

Every event is a link of a hash chain (documents.audit_format: one chain per document, one
for rights and organisation changes), the chains' heads are sealed by signed checkpoints, and
database triggers refuse UPDATE and DELETE on both tables (migration 0013)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")


class Event(models.Model):
    """One step in a document's life. Never updated, never deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Tạo dự thảo")
        EDITED = "edited", _("Chỉnh sửa dự thảo")
        SUBMITTED = "submitted", _("Trình ký")
        RETURNED = "returned", _("Trả lại để chỉnh sửa")
        REJECTED = "rejected", _("Không duyệt")
        SIGNED_OFF = "signed_off", _("Ký duyệt")
        ISSUED = "issued", _("Cho số, ban hành")
        DISTRIBUTED = "distributed", _("Gửi đến nơi nhận")
        ACKNOWLEDGED = "acknowledged", _("Xác nhận đã nhận")
        ARCHIVED = "archived", _("Lưu trữ")
        ATTACHED = "attached", _("Đính kèm tệp")
        HANDED_OVER = "handed_over", _("Giao xác nhận cho người khác")
        # The signed original, made in the background after sign-off and after issuance
        # (documents.publishing.make_signed_original): made, failed, asked again.
        RENDERED = "rendered", _("Tạo bản gốc có chữ ký số")
        RENDER_FAILED = "render_failed", _("Không tạo được bản gốc có chữ ký số")
        RENDER_REQUESTED = "render_requested", _("Yêu cầu tạo lại bản gốc có chữ ký số")
        # The follow-up of what the document assigned (documents.followup), on the plan.
        ASSIGNED = "assigned", _("Giao nhiệm vụ cho đơn vị")
        TASK_REPORTED = "task_reported", _("Đơn vị báo cáo kết quả thực hiện")
        TASK_DONE = "task_done", _("Xác nhận hoàn thành nhiệm vụ")
        TASK_SENT_BACK = "task_sent_back", _("Yêu cầu báo cáo lại")
        TASK_OVERDUE = "task_overdue", _("Nhiệm vụ quá hạn")
        # Trust (issue 16): reads of confidential documents, stored files found altered,
        # and rights or organisation changes (the latter on the "system" chain).
        READ = "read", _("Xem văn bản mật")
        ORIGINAL_ALTERED = "original_altered", _("Phát hiện tệp lưu trữ bị thay đổi")
        RIGHTS_CHANGED = "rights_changed", _("Thay đổi quyền, vai trò người dùng")
        ORGANISATION_CHANGED = "organisation_changed", _("Thay đổi tổ chức, đơn vị")
        # The records office (issue 17): incoming documents, case files, recall, prints.
        REGISTERED = "registered", _("Vào sổ văn bản đến")
        PRESENTED = "presented", _("Trình lãnh đạo văn bản đến")
        INSTRUCTED = "instructed", _("Cho ý kiến chỉ đạo, giao xử lý")
        HANDLER_ASSIGNED = "handler_assigned", _("Lãnh đạo đơn vị giao người giải quyết")
        PROPOSED = "proposed", _("Người giải quyết đề xuất ý kiến")
        HANDLED = "handled", _("Giải quyết xong văn bản đến")
        SENT_BACK_TO_SENDER = "sent_back_to_sender", _("Trả lại văn bản đến cho nơi gửi")
        FILED = "filed", _("Đưa vào hồ sơ")
        UNFILED = "unfiled", _("Rút khỏi hồ sơ")
        CASE_FILE_CHANGED = "case_file_changed", _("Lập, đóng, nộp lưu hồ sơ")
        RECALLED = "recalled", _("Thu hồi văn bản")
        RECALL_CONFIRMED = "recall_confirmed", _("Nơi nhận xác nhận thu hồi")
        CORRECTED = "corrected", _("Đính chính bởi văn bản khác")
        REPLACED = "replaced", _("Thay thế bởi văn bản khác")
        PRINTED = "printed", _("In văn bản")

    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("văn bản"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    role = models.CharField(_("vai trò"), max_length=100, blank=True)
    kind = models.CharField(_("hành động"), max_length=30, choices=Kind.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    # The hash chain (documents.audit_format): set by documents.audit.record, never by hand.
    chain = models.CharField(_("chuỗi"), max_length=40, editable=False)
    seq = models.PositiveIntegerField(_("số thứ tự trong chuỗi"), editable=False)
    prev = models.CharField(_("mã băm trước"), max_length=64, editable=False)
    hash = models.CharField(_("mã băm"), max_length=64, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("nhật ký xử lý")
        ordering = ["created_at", "pk"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="event_chain_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class Checkpoint(models.Model):
    """A signed seal over the heads of the chains that moved since the checkpoint before it
    (documents.trail.seal); checkpoints form a chain of their own. Never updated or deleted."""

    seq = models.PositiveIntegerField(_("số thứ tự"), unique=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    prev = models.CharField(_("mã băm trước"), max_length=64)
    hash = models.CharField(_("mã băm"), max_length=64)
    # chain → [seq, hash] of its last event at the time of sealing
    heads = models.JSONField(_("đầu các chuỗi"), default=dict)
    # Detached CMS signature of the agency over the hash (hex ASCII), base64; and its subject.
    signature = models.TextField(_("chữ ký số"), blank=True)
    signer = models.CharField(_("người ký"), max_length=255, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("điểm niêm phong nhật ký")
        verbose_name_plural = _("điểm niêm phong nhật ký")
        ordering = ["seq"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.created_at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit checkpoints cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit checkpoints cannot be deleted")


class SealedHead(models.Model):
    """Where each chain stood at the last checkpoint: a cache that lets the next checkpoint
    seal only the chains that moved. Rebuilt from the checkpoints if ever lost."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"
