"""Documents (văn bản), their recipients (nơi nhận), receipts and attachments."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import uploads
from .organisation import Organization, Unit


@dataclass(frozen=True)
class PrintedNames:
    """The names a document prints: its type, its issuing body, its drafting unit."""

    type_name: str
    type_abbreviation: str
    issuer_name: str
    issuer_abbreviation: str
    issuer_parent_name: str
    drafting_unit_abbreviation: str


class DocumentType(models.Model):
    """A document type with its official abbreviation (Phụ lục III): Kế hoạch → KH."""

    name = models.CharField(_("tên loại văn bản"), max_length=100, unique=True)
    abbreviation = models.CharField(
        _("chữ viết tắt"),
        max_length=10,
        blank=True,
        help_text=_("Để trống với công văn: ký hiệu gồm tên cơ quan và đơn vị soạn thảo."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Document(models.Model):
    """An official document, from draft to archive, with the parts Decree 30 requires."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Chờ ký duyệt")
        RETURNED = "returned", _("Trả lại để chỉnh sửa")
        REJECTED = "rejected", _("Không duyệt")
        SIGNED = "signed", _("Đã ký duyệt, chờ ban hành")
        ISSUED = "issued", _("Đã ban hành, chờ xác nhận")
        ARCHIVED = "archived", _("Đã lưu trữ")
        # Recalled after issuance (Điều 19): frozen, no more acknowledgements; its recall's
        # reason, time and author stay on the document and in the trail.
        RECALLED = "recalled", _("Đã thu hồi")

    class Origin(models.TextChoices):
        OUTGOING = "outgoing", _("Văn bản đi (soạn tại cơ quan)")
        REFERENCE = "reference", _("Văn bản của cơ quan khác (tham chiếu)")
        # Received from another agency and registered by the văn thư (Điều 20–24): the
        # ``organization`` is the receiving agency (whose register holds it), the sender is
        # ``IncomingRecord.sender_name``; its file is an attachment.
        INCOMING = "incoming", _("Văn bản đến")

    class Urgency(models.TextChoices):
        NORMAL = "", _("Thường")
        KHAN = "khan", _("Khẩn")
        THUONG_KHAN = "thuong_khan", _("Thượng khẩn")
        HOA_TOC = "hoa_toc", _("Hỏa tốc")

    class Confidentiality(models.TextChoices):
        NORMAL = "", _("Thường")
        MAT = "mat", _("Mật")
        TOI_MAT = "toi_mat", _("Tối mật")
        TUYET_MAT = "tuyet_mat", _("Tuyệt mật")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    LOCKED_STATUSES = (Status.SIGNED, Status.ISSUED, Status.ARCHIVED, Status.RECALLED)
    ISSUED_STATUSES = (Status.ISSUED, Status.ARCHIVED, Status.RECALLED)

    origin = models.CharField(
        _("nguồn"), max_length=20, choices=Origin.choices, default=Origin.OUTGOING
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT
    )
    subject = models.CharField(_("trích yếu"), max_length=500)
    body = models.TextField(_("nội dung"), blank=True)
    urgency = models.CharField(
        _("độ khẩn"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL, blank=True
    )
    confidentiality = models.CharField(
        _("độ mật"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
        blank=True,
    )
    cites = models.ManyToManyField(
        "self",
        verbose_name=_("văn bản căn cứ"),
        symmetrical=False,
        blank=True,
        related_name="cited_by",
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn thảo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafted_documents",
    )
    drafting_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị soạn thảo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafted_documents",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents_to_sign",
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=150, blank=True)
    signer_authority = models.CharField(
        _("quyền hạn ký"), max_length=60, blank=True, help_text=_("Ví dụ: KT. GIÁM ĐỐC")
    )
    signer_title = models.CharField(
        _("chức vụ người ký"), max_length=100, blank=True, help_text=_("Ví dụ: PHÓ GIÁM ĐỐC")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    # Set only at issuance by the văn thư (or entered for a reference document).
    register_key = models.CharField(_("sổ đăng ký"), max_length=30, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    notation = models.CharField(_("số, ký hiệu"), max_length=60, blank=True, db_index=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_year = models.PositiveIntegerField(_("năm ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    archive_copies = models.PositiveSmallIntegerField(
        _("số bản lưu"),
        null=True,
        blank=True,
        help_text=_('Số bản lưu ghi ở dòng "Lưu: VT, <đơn vị soạn thảo> (<số bản>)."'),
    )
    # The names printed on the document, copied from the reference data when the signer
    # approves it: renaming a type or the agency later never changes a signed document.
    type_name = models.CharField(_("tên loại văn bản (khi ký)"), max_length=100, blank=True)
    type_abbreviation = models.CharField(_("viết tắt loại (khi ký)"), max_length=10, blank=True)
    issuer_name = models.CharField(_("tên cơ quan (khi ký)"), max_length=255, blank=True)
    issuer_abbreviation = models.CharField(
        _("viết tắt cơ quan (khi ký)"), max_length=30, blank=True
    )
    issuer_parent_name = models.CharField(
        _("cơ quan chủ quản (khi ký)"), max_length=255, blank=True
    )
    drafting_unit_abbreviation = models.CharField(
        _("viết tắt đơn vị soạn thảo (khi ký)"), max_length=30, blank=True
    )
    # Errors after issuance (Điều 19): a correction công văn (đính chính) or a replacement
    # names the document it corrects or replaces; the old one shows them (related names).
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("đính chính văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacements",
    )
    recalled_at = models.DateTimeField(_("thời điểm thu hồi"), null=True, blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu hồi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    content_hash = models.CharField(_("mã băm nội dung (SHA-256)"), max_length=64, blank=True)
    signed_off_at = models.DateTimeField(_("thời điểm ký duyệt"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("sign_off_document", _("Ký duyệt văn bản")),
            ("issue_document", _("Cho số, ban hành văn bản")),
        ]
        indexes = [
            # Lists are newest first: the document list, and the "Việc của tôi" sections.
            models.Index(fields=["-created_at", "-id"], name="document_newest"),
            models.Index(fields=["organization", "status", "-created_at"], name="document_status"),
            # A drafter's drafts and returned documents ("Việc của tôi"), whatever the number
            # of documents of everyone else.
            models.Index(fields=["drafter", "status", "-created_at"], name="document_drafter"),
            # The recent sign-offs and issuances, for the originals left without their job
            # (documents.originals.overdue, every two minutes).
            models.Index(fields=["signed_off_at"], name="document_signed_off_at"),
            models.Index(fields=["issued_on"], name="document_issued_on"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "register_key", "issued_year", "number"],
                condition=models.Q(number__isnull=False),
                name="document_number_unique_per_register_year",
            ),
        ]

    def __str__(self) -> str:
        head = self.notation or _("Dự thảo")
        return f"{head} — {self.document_type.name} {self.subject}"

    # What a step writes after sign-off (number, date, state): no part of the approved
    # content (integrity.content_payload), so a save of these columns alone cannot alter it.
    WORKFLOW_COLUMNS = frozenset(
        {"status", "register_key", "number", "notation", "issued_on", "issued_year", "place"}
        | {"recalled_at", "recalled_by", "recall_reason", "updated_at"}
    )

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        only_workflow = update_fields is not None and set(update_fields) <= self.WORKFLOW_COLUMNS
        if self.pk is not None and self.content_hash and not only_workflow:
            # Once signed off, no code path (view, admin, shell) may alter the content.
            from ..integrity import ensure_content_unchanged

            ensure_content_unchanged(self)
        super().save(*args, **kwargs)

    def names(self) -> PrintedNames:
        """The names printed on the document: frozen at sign-off, live before it."""
        if self.content_hash:
            return PrintedNames(
                type_name=self.type_name,
                type_abbreviation=self.type_abbreviation,
                issuer_name=self.issuer_name,
                issuer_abbreviation=self.issuer_abbreviation,
                issuer_parent_name=self.issuer_parent_name,
                drafting_unit_abbreviation=self.drafting_unit_abbreviation,
            )
        return self.live_names()

    def live_names(self) -> PrintedNames:
        """The names as the reference data has them today."""
        return PrintedNames(
            type_name=self.document_type.name,
            type_abbreviation=self.document_type.abbreviation,
            issuer_name=self.organization.name,
            issuer_abbreviation=self.organization.abbreviation,
            issuer_parent_name=self.organization.parent_name,
            drafting_unit_abbreviation=(
                self.drafting_unit.abbreviation if self.drafting_unit else ""
            ),
        )

    def freeze_names(self) -> None:
        """Copy the reference data's names onto the document (at sign-off)."""
        names = self.live_names()
        for name, value in names.__dict__.items():
            setattr(self, name, value)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_confidential(self) -> bool:
        return bool(self.confidentiality)


def ensure_document_open(document: Document) -> None:
    """Nothing of a signed-off document's content changes (RecipientLine, Attachment…)."""
    if document.content_hash:
        raise PermissionDenied(_("Văn bản đã được ký duyệt, không thể thay đổi nội dung."))


class RecipientLine(models.Model):
    """One line of "Nơi nhận" as printed, with the units it stands for."""

    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="recipient_lines",
        verbose_name=_("văn bản"),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    text = models.CharField(_("nơi nhận"), max_length=255, help_text=_("Ví dụ: Công an tỉnh"))
    units = models.ManyToManyField(Unit, verbose_name=_("đơn vị nhận"), blank=True)

    class Meta:
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")
        ordering = ["document", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        ensure_document_open(self.document)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        ensure_document_open(self.document)
        return super().delete(*args, **kwargs)


class Receipt(models.Model):
    """A recipient unit's copy of an issued document, and its acknowledgement."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xác nhận")
        ACKNOWLEDGED = "acknowledged", _("Đã nhận")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("văn bản")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("đơn vị nhận")
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    sent_at = models.DateTimeField(_("ngày gửi"), auto_now_add=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được giao xác nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts_to_acknowledge",
        help_text=_("Trống: mọi thành viên của đơn vị nhận."),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)
    # A recalled document (Điều 19): the recipient confirms it removed its copy.
    recall_confirmed_at = models.DateTimeField(
        _("thời điểm xác nhận thu hồi"), null=True, blank=True
    )
    recall_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận thu hồi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiếu nhận văn bản")
        verbose_name_plural = _("phiếu nhận văn bản")
        ordering = ["document", "unit__name"]
        permissions = [("acknowledge_receipt", _("Xác nhận đã nhận văn bản"))]
        indexes = [
            # A unit's receipts, pending first, newest first (receipt list, Việc của tôi).
            models.Index(fields=["unit", "status", "-sent_at"], name="receipt_unit_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="receipt_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.document.notation} → {self.unit}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A generated name, never the uploader's (kept in original_name for display): no path
    # tricks, nothing guessable, and the extension of the type detected from the content.
    extension = uploads.extension_for(instance.content_type)
    return f"attachments/{instance.document_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """A file attached to a document (phụ lục, tài liệu kèm theo)."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("văn bản")
    )
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=500)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    content_type = models.CharField(_("kiểu tệp"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args, **kwargs):
        ensure_document_open(self.document)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        ensure_document_open(self.document)
        return super().delete(*args, **kwargs)
