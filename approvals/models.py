"""The workflow's process: one run of a document through drafting, sign-off and issuance."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.workflow.models import Process

from documents.models import Document

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
    """An in-app message to one person about a document: a task for them, or news of it."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Việc mới được giao")
        RETURNED = "returned", _("Văn bản bị trả lại")
        REJECTED = "rejected", _("Văn bản không được duyệt")
        SIGNED_OFF = "signed_off", _("Văn bản đã được ký duyệt")
        ISSUED = "issued", _("Văn bản đã ban hành")
        DISTRIBUTED = "distributed", _("Văn bản gửi đến đơn vị")
        ARCHIVED = "archived", _("Văn bản đã lưu trữ")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
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
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message
