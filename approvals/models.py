"""The workflow's process: one run of a document through drafting, sign-off and issuance."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.workflow.models import Process

from documents.models import Document, Unit

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable


class DocumentProcess(Process):
    """A Process linked to its document by a real foreign key (joins in SQL, PROTECT)."""

    # viewflow ships no type information, so mypy sees Process as Any and django-stubs does
    # not treat this class as a model: its fields and default manager are declared here.
    if TYPE_CHECKING:
        _default_manager: ClassVar[models.Manager[DocumentProcess]]

    class Decision(models.TextChoices):
        NONE = "", _("Chưa quyết định")
        # The signer's choices: imperatives in English, where the same Vietnamese words are
        # also the document's states ("Returned for revision", "Rejected").
        APPROVE = "approve", pgettext_lazy("sign-off decision", "Ký duyệt")
        RETURN = "return", pgettext_lazy("sign-off decision", "Trả lại để chỉnh sửa")
        REJECT = "reject", pgettext_lazy("sign-off decision", "Không duyệt")

    document: models.ForeignKey[Document | Combinable, Document] = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="processes", verbose_name=_("văn bản")
    )
    decision: models.CharField[str | int | Combinable, str] = models.CharField(
        _("quyết định ký duyệt"), max_length=20, choices=Decision.choices, blank=True
    )

    class Meta:
        verbose_name = _("quy trình văn bản")
        verbose_name_plural = _("quy trình văn bản")


class Notification(models.Model):
    """An in-app message about a document, to one person or to one unit (every member of it,
    present and future): a task for them, or news of it. One row per event and audience, so
    the table grows with documents, not with people; who has read what is one mark per person
    (NotificationReadMark)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Việc mới được giao")
        RETURNED = "returned", _("Văn bản bị trả lại")
        REJECTED = "rejected", _("Văn bản không được duyệt")
        SIGNED_OFF = "signed_off", _("Văn bản đã được ký duyệt")
        ISSUED = "issued", _("Văn bản đã ban hành")
        DISTRIBUTED = "distributed", _("Văn bản gửi đến đơn vị")
        ARCHIVED = "archived", _("Văn bản đã lưu trữ")
        # The follow-up of a plan's assignments (documents.followup): about the plan.
        TASK_ASSIGNED = "task_assigned", _("Nhiệm vụ mới được giao")
        TASK_REMINDER = "task_reminder", _("Nhắc hạn nhiệm vụ")
        TASK_OVERDUE = "task_overdue", _("Nhiệm vụ quá hạn")
        TASK_REPORTED = "task_reported", _("Đơn vị đã báo cáo kết quả")
        TASK_SENT_BACK = "task_sent_back", _("Yêu cầu báo cáo lại")
        TASK_DONE = "task_done", _("Nhiệm vụ đã hoàn thành")
        # The records office (documents.records).
        INCOMING = "incoming", _("Văn bản đến cần xử lý")
        RECEIVED = "received", _("Văn bản đã được tiếp nhận")
        RECALLED = "recalled", _("Văn bản bị thu hồi")
        SUPERSEDED = "superseded", _("Văn bản được đính chính, thay thế")

    # Exactly one of recipient and unit (notification_one_audience). Their own indexes lead
    # with them (notification_person, notification_unit), so the foreign keys need none.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
        related_name="notifications",
        verbose_name=_("đơn vị nhận"),
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("văn bản"),
    )
    kind = models.CharField(_("loại thông báo"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        # Newest first by id: the order the audience indexes serve (ids grow with time).
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, unit__isnull=True)
                | Q(recipient__isnull=True, unit__isnull=False),
                name="notification_one_audience",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "id"], name="notification_person"),
            models.Index(fields=["unit", "id"], name="notification_unit"),
        ]

    def __str__(self) -> str:
        return self.message


class NotificationReadMark(models.Model):
    """How far a person has read their notifications: every notification for them or their
    units up to ``read_up_to`` (an id) is read, every later one unread. One row per person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_read_mark",
        verbose_name=_("người đọc"),
    )
    read_up_to = models.PositiveBigIntegerField(_("đã đọc đến thông báo"), default=0)

    class Meta:
        verbose_name = _("mốc đã đọc thông báo")
        verbose_name_plural = _("mốc đã đọc thông báo")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user_id} ≤ {self.read_up_to}"
