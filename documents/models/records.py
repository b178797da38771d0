"""The records office (văn thư cơ quan): incoming documents and their handling, case files
(hồ sơ), and the full-text search over both halves of the day."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .document import Document
from .organisation import Organization, Unit


class IncomingRecord(models.Model):
    """The registration of a document received from another agency (Điều 20–24): its số đến
    in the incoming register book of the year, the leader's instruction, its handling.

    The document itself (type, số ký hiệu, date, trích yếu, signer, urgency, confidentiality)
    is a ``Document`` of origin INCOMING; the units it is assigned to are ``Assignment`` rows
    of that document, followed like a plan's."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Đã vào sổ, chờ trình")
        PRESENTED = "presented", _("Đã trình lãnh đạo")
        ASSIGNED = "assigned", _("Đã giao xử lý")
        DONE = "done", _("Đã giải quyết xong")
        SENT_BACK = "sent_back", _("Đã trả lại nơi gửi")
        RECALLED = "recalled", _("Nơi gửi đã thu hồi")

    class Channel(models.TextChoices):
        ELECTRONIC = "electronic", _("Văn bản điện tử")
        PAPER = "paper", _("Văn bản giấy (bản quét)")

    class SignatureStatus(models.TextChoices):
        NONE = "none", _("Không có chữ ký số")
        VALID = "valid", _("Chữ ký số hợp lệ")
        UNTRUSTED = "untrusted", _("Chữ ký nguyên vẹn, chứng thư chưa được tin cậy")
        INVALID = "invalid", _("Chữ ký số không hợp lệ hoặc văn bản đã bị sửa")

    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="incoming", verbose_name=_("văn bản")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan nhận"),
    )
    book = models.CharField(
        _("sổ văn bản đến"), max_length=30, help_text=_("DEN: sổ chung; DEN-MAT: văn bản mật")
    )
    arrival_year = models.PositiveIntegerField(_("năm"))
    arrival_number = models.PositiveIntegerField(_("số đến"))
    arrival_at = models.DateTimeField(_("ngày đến"))
    channel = models.CharField(
        _("hình thức nhận"), max_length=20, choices=Channel.choices, default=Channel.ELECTRONIC
    )
    sender_name = models.CharField(_("cơ quan ban hành (tác giả)"), max_length=255)
    sender_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nơi gửi (trong danh bạ)"),
    )
    file_sha256 = models.CharField(_("SHA-256 của tệp"), max_length=64, blank=True, db_index=True)
    # The notation as the duplicate check compares it (casefolded in Python, spaces removed):
    # a database's lower() may leave "Đ" alone (SQLite).
    notation_key = models.CharField(max_length=60, blank=True, db_index=True, editable=False)
    signature_status = models.CharField(
        _("kiểm tra chữ ký số"),
        max_length=20,
        choices=SignatureStatus.choices,
        default=SignatureStatus.NONE,
    )
    signature_report = models.JSONField(_("kết quả kiểm tra chữ ký"), default=list, blank=True)
    due_on = models.DateField(_("hạn giải quyết"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trùng với văn bản đến"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người vào sổ"),
    )
    # Phiếu giải quyết văn bản đến (Phụ lục IV, VII): 1. the leader's instruction…
    presented_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_presented",
        verbose_name=_("lãnh đạo được trình"),
    )
    presented_at = models.DateTimeField(_("thời điểm trình"), null=True, blank=True)
    instruction = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lãnh đạo cho ý kiến"),
    )
    instructed_at = models.DateTimeField(_("thời điểm cho ý kiến"), null=True, blank=True)
    # … 2. the unit head's, who gives it to one person …
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_handled",
        verbose_name=_("người giải quyết"),
    )
    unit_instruction = models.TextField(_("ý kiến của lãnh đạo đơn vị"), blank=True)
    unit_instructed_at = models.DateTimeField(
        _("thời điểm lãnh đạo đơn vị cho ý kiến"), null=True, blank=True
    )
    # … 3. the handler's proposal; then the result.
    proposal = models.TextField(_("ý kiến đề xuất của người giải quyết"), blank=True)
    proposed_at = models.DateTimeField(_("thời điểm đề xuất"), null=True, blank=True)
    result = models.TextField(_("kết quả giải quyết"), blank=True)
    done_at = models.DateTimeField(_("thời điểm giải quyết xong"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận giải quyết xong"),
    )
    sent_back_reason = models.TextField(_("lý do trả lại"), blank=True)
    sent_back_at = models.DateTimeField(_("thời điểm trả lại"), null=True, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        ordering = ["-arrival_year", "-arrival_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "book", "arrival_year", "arrival_number"],
                name="incoming_number_unique_per_book_year",
            ),
        ]
        indexes = [
            # The incoming register and list: one book, one year, in số đến order.
            models.Index(
                fields=["organization", "book", "arrival_year", "-arrival_number"],
                name="incoming_register",
            ),
            models.Index(fields=["organization", "arrival_at"], name="incoming_arrival"),
            models.Index(fields=["status", "presented_to"], name="incoming_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.arrival_number}/{self.arrival_year} — {self.sender_name}"


class CaseFile(models.Model):
    """A case file (hồ sơ) of the agency's list for the year (danh mục hồ sơ, Điều 28–31)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang lập")
        CLOSED = "closed", _("Đã kết thúc")
        TRANSFERRED = "transferred", _("Đã nộp lưu")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan")
    )
    year = models.PositiveIntegerField(_("năm"))
    code = models.CharField(
        _("số và ký hiệu hồ sơ"), max_length=60, help_text=_("Ví dụ: 01.VP hoặc 12/KHTH")
    )
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_files",
        verbose_name=_("đơn vị lập hồ sơ"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_files",
        verbose_name=_("người lập hồ sơ"),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("thời hạn bảo quản (năm)"),
        null=True,
        blank=True,
        help_text=_("Trống: bảo quản vĩnh viễn."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("ngày lập"), auto_now_add=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người kết thúc hồ sơ"),
    )
    transferred_at = models.DateTimeField(_("thời điểm nộp lưu"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "code"], name="case_file_code_unique_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class CaseFileEntry(models.Model):
    """One document (outgoing or incoming) filed into one case file."""

    case_file = models.ForeignKey(
        CaseFile, on_delete=models.PROTECT, related_name="entries", verbose_name=_("hồ sơ")
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="case_file_entries",
        verbose_name=_("văn bản"),
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đưa vào hồ sơ"),
    )
    added_at = models.DateTimeField(_("thời điểm đưa vào"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("văn bản trong hồ sơ")
        verbose_name_plural = _("văn bản trong hồ sơ")
        ordering = ["case_file", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_file", "document"], name="case_file_entry_once"),
        ]
        indexes = [models.Index(fields=["document"], name="case_file_entry_document")]

    def __str__(self) -> str:
        return f"{self.case_file.code}: {self.document_id}"


class SearchEntry(models.Model):
    """A document's searchable text, normalised (lower case, no diacritics, đ → d) from its
    metadata, body and the text of its files; kept by documents.search, served by a trigram
    index on PostgreSQL (migration 0015)."""

    document = models.OneToOneField(
        Document,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
        verbose_name=_("văn bản"),
    )
    text = models.TextField(_("nội dung tra cứu"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("chỉ mục tra cứu")
        verbose_name_plural = _("chỉ mục tra cứu")
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.document_id)


class SavedSearch(models.Model):
    """A person's saved search: its name and the query string of the search page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("người dùng"),
    )
    name = models.CharField(_("tên"), max_length=100)
    query = models.CharField(_("điều kiện tra cứu"), max_length=2000)
    created_at = models.DateTimeField(_("ngày lưu"), auto_now_add=True)

    class Meta:
        verbose_name = _("tra cứu đã lưu")
        verbose_name_plural = _("tra cứu đã lưu")
        ordering = ["name"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_per_user"),
        ]

    def __str__(self) -> str:
        return self.name
