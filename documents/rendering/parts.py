"""The parts of a document as printed (thể thức, Điều 8), shared by the PDF and DOCX writers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import numbering
from ..dates import vn_date, vn_day, vn_month, vn_place_date
from ..models import Document
from .markup import Block, parse_body


@dataclass(frozen=True)
class DocumentParts:
    """Everything a layout needs, already worded as the decree requires."""

    parent_body: str
    issuing_body: str
    organ_name: str  # the issuing body as named in metadata: "Sở Thông tin và Truyền thông"
    type_label: str  # "Kế hoạch", "Công văn": the type as named in metadata
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
    recipients: list[str]  # "- Công an tỉnh;" … "- Lưu: VT, VP (2)."
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
    def notation(self) -> str:
        """'05/KH-STTTT', or the blank form '…/KH-STTTT' before the văn thư numbers it."""
        return f"{self.number if self.number is not None else BLANK}/{self.notation_suffix}"

    @property
    def date_after_ngay(self) -> str:
        """What follows 'ngày' on the date line: '05 tháng 01 năm 2020', or the blank form
        '… tháng … năm 2020' with the year of sign-off."""
        if self.issued_on is not None:
            return issued_date_after_ngay(self.issued_on)
        return f"{BLANK} tháng {BLANK} năm {self.year}"

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


BLANK = "…"  # what the decree's forms print where a number or date is still to be written
ARCHIVE_LINE = "Lưu: VT"  # kept at the records office (văn thư cơ quan)
_ARCHIVE = re.compile(r"^lưu\s*:?\s*vt$", re.IGNORECASE)


def issued_date_after_ngay(issued_on: dt.date) -> str:
    """'05 tháng 01 năm 2020': the date of issue as written after 'ngày' (Phụ lục I, II.4)."""
    return f"{vn_day(issued_on.day)} tháng {vn_month(issued_on.month)} năm {issued_on.year}"


def archive_line(*, unit: str, copies: int | None) -> str:
    """'Lưu: VT, VP (2)': the records office, the drafting unit's abbreviation and the number
    of copies kept, which Phụ lục III marks "(nếu cần)": 'Lưu: VT, VP' without it."""
    line = f"{ARCHIVE_LINE}, {unit}" if unit else ARCHIVE_LINE
    return f"{line} ({copies})" if copies else line


def recipient_lines(
    texts: list[str], *, drafting_unit: str = "", archive_copies: int | None = None
) -> list[str]:
    """Each line starts with '- ' and ends with ';', the last with '.'; the last is the
    archive line 'Lưu: VT, <drafting unit> (<copies>)' (Phụ lục I, II.9.d, ô 9b).

    The drafter's 'Lưu: VT' stays one recipient line in the data (it reaches the records
    office, which acknowledges the archive copy); only its printed form is completed here. A
    'Lưu' line worded otherwise by the drafter is printed as written, moved last; a list
    without one gets it."""
    lines = [text.strip().lstrip("-").strip().rstrip(";.").strip() for text in texts]
    lines = [line for line in lines if line]
    others = [line for line in lines if not line.lower().startswith("lưu")]
    archive = [line for line in lines if line.lower().startswith("lưu")]
    completed = archive_line(unit=drafting_unit, copies=archive_copies)
    archive = [completed if _ARCHIVE.match(line) else line for line in archive] or [completed]
    lines = others + archive
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
    """Word every part of the document; draft_mark=None marks content not yet signed off.
    The names printed are the document's own (Document.names: frozen at sign-off)."""
    names = document.names()
    notation = document.notation or numbering.notation_for(document, 0)
    number, _slash, suffix = notation.partition("/")
    # Number and date are printed together, or both left blank.
    issued_on = document.issued_on if document.number is not None else None
    return DocumentParts(
        parent_body=names.issuer_parent_name.upper(),
        issuing_body=names.issuer_name.upper(),
        organ_name=names.issuer_name,
        type_label=names.type_name,
        number=number if issued_on is not None else None,
        notation_suffix=suffix,
        place=document.place or document.organization.place,
        issued_on=issued_on,
        year=issued_on.year if issued_on is not None else _draft_year(document),
        type_name=names.type_name.upper() if names.type_abbreviation else "",
        subject=document.subject,
        blocks=parse_body(document.body),
        authority=document.signer_authority.upper(),
        title=document.signer_title.upper(),
        signer_name=document.signer_name,
        recipients=recipient_lines(
            [line.text for line in document.recipient_lines.order_by("position", "pk")],
            drafting_unit=names.drafting_unit_abbreviation,
            archive_copies=document.archive_copies,
        ),
        urgency=_upper_display(document, "urgency"),
        confidentiality=_upper_display(document, "confidentiality"),
        draft=not document.content_hash if draft_mark is None else draft_mark,
    )
