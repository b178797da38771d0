"""The workflow's process: one run of a document through drafting, sign-off and issuance."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from documents.models import Document


class DocumentProcess(Process):
    """A Process linked to its document by a real foreign key (joins in SQL, PROTECT)."""

    class Decision(models.TextChoices):
        NONE = "", _("Chưa quyết định")
        APPROVE = "approve", _("Ký duyệt")
        RETURN = "return", _("Trả lại để chỉnh sửa")
        REJECT = "reject", _("Không duyệt")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="processes", verbose_name=_("văn bản")
    )
    decision = models.CharField(
        _("quyết định ký duyệt"), max_length=20, choices=Decision.choices, blank=True
    )

    class Meta:
        verbose_name = _("quy trình văn bản")
        verbose_name_plural = _("quy trình văn bản")
