"""The parts of a document as printed (thể thức, Điều 8), shared by the PDF and DOCX writers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import numbering
from ..dates import vn_date, vn_place_date
from ..models import Document
from .markup import Block, parse_body


@dataclass(frozen=True)
class DocumentParts:
    """Everything a layout needs, already worded as the decree requires."""

    parent_body: str
    issuing_body: str
    number: str | None  # "05" once issued, None while the văn thư has not numbered it
    notation_suffix: str  # "KH-STTTT"
    place: str
    issued_on: dt.date | None
    year: int  # printed after "năm" while the day and month are still blank
    type_name: str  # "KẾ HOẠCH"; empty for a công văn
    subject: str
    blocks: list[Block]
    authority: str  # "KT. GIÁM ĐỐC"
    title: str  # "PHÓ GIÁM ĐỐC"
    signer_name: str
    recipients: list[str]  # "- Công an tỉnh;" … "- Lưu: VT."
    urgency: str  # "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC" or ""
    confidentiality: str  # "MẬT", "TỐI MẬT", "TUYỆT MẬT" or ""
    draft: bool

    @property
    def is_cong_van(self) -> bool:
        return not self.type_name

    @property
    def number_line(self) -> str:
        """'Số: 05/KH-STTTT', or the blank to be filled: 'Số:      /KH-STTTT'."""
        number = self.number if self.number is not None else " " * 6
        return f"{_('Số')}: {number}/{self.notation_suffix}"

    @property
    def place_date_line(self) -> str:
        """'Bình Phước, ngày 05 tháng 01 năm 2020', or with blanks for day and month."""
        if self.issued_on is not None:
            return vn_place_date(self.place, self.issued_on)
        return f"{self.place}, ngày {' ' * 6} tháng {' ' * 4} năm {self.year}"

    @property
    def subject_line(self) -> str:
        """A công văn's trích yếu is printed after 'V/v' under its number."""
        return f"V/v {self.subject}" if self.is_cong_van else self.subject

    @property
    def issued_date_text(self) -> str:
        return vn_date(self.issued_on) if self.issued_on else ""


def recipient_lines(texts: list[str]) -> list[str]:
    """Each line starts with '- ' and ends with ';', the last with '.' (Phụ lục I, II.9)."""
    lines = [text.strip().lstrip("-").strip().rstrip(";.").strip() for text in texts]
    lines = [line for line in lines if line]
    return [
        f"- {line}{'.' if index == len(lines) - 1 else ';'}" for index, line in enumerate(lines)
    ]


def _draft_year(document: Document) -> int:
    if document.signed_off_at is not None:
        return timezone.localtime(document.signed_off_at).year
    return timezone.localdate().year


def _upper_display(document: Document, field: str) -> str:
    value = getattr(document, field)
    return getattr(document, f"get_{field}_display")().upper() if value else ""


def document_parts(document: Document, *, draft_mark: bool | None = None) -> DocumentParts:
    """Word every part of the document; draft_mark=None marks content not yet signed off."""
    organization = document.organization
    document_type = document.document_type
    notation = document.notation or numbering.notation_for(document, 0)
    number, _slash, suffix = notation.partition("/")
    # Number and date are printed together, or both left blank.
    issued_on = document.issued_on if document.number is not None else None
    return DocumentParts(
        parent_body=organization.parent_name.upper(),
        issuing_body=organization.name.upper(),
        number=number if issued_on is not None else None,
        notation_suffix=suffix,
        place=document.place or organization.place,
        issued_on=issued_on,
        year=issued_on.year if issued_on is not None else _draft_year(document),
        type_name=document_type.name.upper() if document_type.abbreviation else "",
        subject=document.subject,
        blocks=parse_body(document.body),
        authority=document.signer_authority.upper(),
        title=document.signer_title.upper(),
        signer_name=document.signer_name,
        recipients=recipient_lines(
            [line.text for line in document.recipient_lines.order_by("position", "pk")]
        ),
        urgency=_upper_display(document, "urgency"),
        confidentiality=_upper_display(document, "confidentiality"),
        draft=not document.content_hash if draft_mark is None else draft_mark,
    )
