"""What the văn thư's reception checks before an incoming document is registered: the file
(its kind by content, its SHA-256), a signed PDF's signatures and integrity, and whether the
same document was registered before (same sender and số ký hiệu, or the same file)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import ltv, signing, uploads
from ..models import Document, DocumentType, IncomingRecord

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from ..models import Organization, Unit

SignatureStatus = IncomingRecord.SignatureStatus
# A scan of a paper document, or a signed PDF: nothing else is a received document.
ACCEPTED = (uploads.PDF, uploads.JPEG, uploads.PNG)
_SPACES = re.compile(r"\s+")
TEXT_LIMIT = 5000


@dataclass(frozen=True)
class CheckedFile:
    detected: uploads.DetectedFile
    content: bytes
    sha256: str

    @property
    def is_pdf(self) -> bool:
        return self.detected.kind == uploads.PDF


def check_file(upload: UploadedFile) -> CheckedFile:
    """A PDF or an image scan by its content (documents.uploads), with its SHA-256."""
    try:
        detected = uploads.inspect_upload(upload, name=upload.name or "", size=upload.size or 0)
    except ValidationError as error:
        raise ValidationError({"upload": error.error_list}) from error
    if detected.kind not in ACCEPTED:
        raise ValidationError({"upload": _("Văn bản đến phải là tệp PDF hoặc bản quét JPEG, PNG.")})
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return CheckedFile(detected, content, hashlib.sha256(content).hexdigest())


def check_signatures(checked: CheckedFile) -> tuple[str, list[dict[str, Any]]]:
    """The signatures of a PDF: NONE (a scan, or no signature), VALID (each intact, its
    certificate trusted), UNTRUSTED (intact, a certificate not trusted) or INVALID (a byte
    changed, a forbidden later change, a revoked certificate, or an unreadable signature);
    with a JSON report per signature."""
    if not checked.is_pdf:
        return SignatureStatus.NONE, []
    try:
        roots = signing.trust_roots()
    except ltv.LtvConfigurationError:
        roots = []  # no trusted anchor configured: every signature reads as untrusted
    try:
        reports = signing.verify_pdf(checked.content, trust_roots=roots)
    except signing.SignatureVerificationError as error:
        return SignatureStatus.INVALID, [{"error": str(error)[:500]}]
    if not reports:
        return SignatureStatus.NONE, []
    rows = [_report_row(report) for report in reports]
    if any(not r.intact or not r.changes_permitted or r.revocation == "revoked" for r in reports):
        return SignatureStatus.INVALID, rows
    if not all(report.trusted for report in reports):
        return SignatureStatus.UNTRUSTED, rows
    return SignatureStatus.VALID, rows


def _report_row(report: signing.SignatureReport) -> dict[str, Any]:
    time = report.time
    return {
        "signer": report.signer,
        "organization": report.organization,
        "time": time.isoformat() if time is not None else None,
        "intact": report.intact,
        "changes_permitted": report.changes_permitted,
        "trusted": report.trusted,
        "revocation": report.revocation,
        "level": report.ltv_level,
        "fingerprint": report.fingerprint,
    }


def normalised(text: str) -> str:
    """Case and spaces ignored: '83/KH - UBND' and '83/kh-ubnd' are the same notation."""
    return _SPACES.sub("", text).casefold()


def notation_key(notation: str) -> str:
    """The notation as stored in IncomingRecord.notation_key and compared for duplicates."""
    return normalised(notation)[:60]


def find_duplicate(
    *,
    organization: Organization,
    sender_name: str,
    sender_unit: Unit | None,
    notation: str,
    sha256: str,
) -> IncomingRecord | None:
    """The first registration of the same document, in any year: the same file, or the same
    sender (by name, or the same unit of the directory) and số ký hiệu."""
    records = IncomingRecord.objects.filter(organization=organization).order_by("pk")
    same_file = records.filter(file_sha256=sha256).first()
    if same_file is not None:
        return same_file
    key = notation_key(notation)
    if not key:
        return None
    # The notation narrows in SQL on its stored key (Python's casefold: a database's lower()
    # may leave "Đ" alone); the sender's name, Vietnamese, is compared here the same way.
    candidates = records.filter(notation_key=key)
    sender = normalised(sender_name)
    for record in candidates:
        if normalised(record.sender_name) == sender or (
            sender_unit is not None and record.sender_unit_id == sender_unit.pk
        ):
            return record
    return None


def text(value: str | None, field: str, message: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: message})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({field: _("Nội dung quá dài (tối đa 5.000 ký tự).")})
    return text


def check_metadata(
    *,
    document_type: DocumentType | None,
    subject: str,
    notation: str,
    issued_on: dt.date | None,
    urgency: str,
    confidentiality: str,
    sender_name: str,
    channel: str,
    due_on: dt.date | None,
) -> None:
    """Everything the register's columns need, or a ValidationError naming the field."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if document_type is None:
        errors["document_type"] = _("Hãy chọn loại văn bản.")
    if not subject:
        errors["subject"] = _("Trích yếu không được để trống.")
    if not notation:
        errors["notation"] = _("Số, ký hiệu văn bản không được để trống.")
    if issued_on is None:
        errors["issued_on"] = _("Hãy ghi ngày văn bản.")
    elif issued_on > today:
        errors["issued_on"] = _("Ngày văn bản không được sau hôm nay.")
    if urgency not in Document.Urgency.values:
        errors["urgency"] = _("Độ khẩn không hợp lệ.")
    if confidentiality not in Document.Confidentiality.values:
        errors["confidentiality"] = _("Độ mật không hợp lệ.")
    if not sender_name:
        errors["sender_name"] = _("Hãy ghi cơ quan ban hành văn bản.")
    if channel not in IncomingRecord.Channel.values:
        errors["channel"] = _("Hình thức nhận không hợp lệ.")
    if due_on is not None and due_on < today:
        errors["due_on"] = _("Hạn giải quyết không được trước hôm nay.")
    if errors:
        raise ValidationError(errors)


def duplicate_message(duplicate: IncomingRecord) -> str:
    return _(
        "Văn bản này có thể đã được vào sổ: số đến %(number)s/%(year)s, %(sender)s. "
        "Chọn “Vẫn vào sổ” nếu đây là văn bản khác."
    ) % {
        "number": duplicate.arrival_number,
        "year": duplicate.arrival_year,
        "sender": duplicate.sender_name,
    }
