"""A register's line from one row of its queryset (documents.records.registers): pure
functions, reading only what the queryset selected, annotated and prefetched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Assignment, Document, IncomingRecord
from ..people import display_name

Cell = str | int | dt.date | None

CLOSED_INCOMING = (
    IncomingRecord.Status.DONE,
    IncomingRecord.Status.SENT_BACK,
    IncomingRecord.Status.RECALLED,
)
ARCHIVE_PREFIX = "Lưu"


@dataclass(frozen=True)
class Column:
    """A column of the decree's form: its title and its width (in characters, for XLSX)."""

    title: Any
    width: int


COLUMNS: dict[str, tuple[Column, ...]] = {
    "di": (
        Column(gettext_lazy("Số, ký hiệu văn bản"), 17),
        Column(gettext_lazy("Ngày tháng văn bản"), 15),
        Column(gettext_lazy("Tên loại và trích yếu nội dung văn bản"), 44),
        Column(gettext_lazy("Người ký"), 20),
        Column(gettext_lazy("Nơi nhận văn bản"), 32),
        Column(gettext_lazy("Đơn vị, người nhận bản lưu"), 14),
        Column(gettext_lazy("Số lượng bản"), 9),
        Column(gettext_lazy("Ngày chuyển"), 15),
        Column(gettext_lazy("Ký nhận"), 16),
        Column(gettext_lazy("Ghi chú"), 26),
    ),
    "den": (
        Column(gettext_lazy("Ngày đến"), 15),
        Column(gettext_lazy("Số đến"), 8),
        Column(gettext_lazy("Tác giả"), 26),
        Column(gettext_lazy("Số, ký hiệu văn bản"), 17),
        Column(gettext_lazy("Ngày tháng văn bản"), 15),
        Column(gettext_lazy("Tên loại và trích yếu nội dung văn bản"), 44),
        Column(gettext_lazy("Đơn vị hoặc người nhận"), 24),
        Column(gettext_lazy("Ngày chuyển"), 15),
        Column(gettext_lazy("Ký nhận"), 20),
        Column(gettext_lazy("Ghi chú"), 26),
    ),
    "theo-doi": (
        Column(gettext_lazy("Số đến"), 8),
        Column(gettext_lazy("Tên loại, số, ký hiệu, ngày tháng văn bản và cơ quan ban hành"), 48),
        Column(gettext_lazy("Đơn vị hoặc người nhận"), 26),
        Column(gettext_lazy("Thời hạn giải quyết"), 15),
        Column(gettext_lazy("Tiến độ giải quyết"), 20),
        Column(gettext_lazy("Số, ký hiệu văn bản trả lời"), 22),
        Column(gettext_lazy("Ghi chú"), 26),
    ),
}


@dataclass(frozen=True)
class Related:
    """What hangs from a row, fetched for a batch of rows at once (registers.related_texts):
    the recipient lines, the notations of its corrections, replacements and replies."""

    lines: tuple[str, ...] = ()
    corrections: tuple[str, ...] = ()
    replacements: tuple[str, ...] = ()
    replies: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisterRow:
    """One line of a register: its number (số or số đến) and its cells in column order."""

    number: int | None
    cells: tuple[Cell, ...]


def _short(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return f"{value:%d/%m/%Y}"


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value else None


def _type_name(document: Document) -> str:
    return document.type_name or document.document_type.name


def type_and_subject(document: Document, *, reveal: bool) -> str:
    """'Kế hoạch: Phát động …'; a secret one's subject only where the văn thư reads."""
    subject = document.subject if reveal or not document.confidentiality else _("(văn bản mật)")
    return f"{_type_name(document)}: {subject}"


# --- I. the outgoing register ---------------------------------------------------------------


def _archive_holder(document: Document, archive_lines: list[str]) -> str:
    """ "Lưu: VT, VP (2)." → "VT, VP (2)"; else the records office and the drafting unit."""
    if archive_lines:
        return "; ".join(line.split(":", 1)[-1].strip().rstrip(".;") for line in archive_lines)
    unit = document.drafting_unit_abbreviation or (
        document.drafting_unit.abbreviation if document.drafting_unit else ""
    )
    return ", ".join(part for part in ("VT", unit) if part)


def _outgoing_notes(document: Any, related: Related) -> str:
    notes = []
    if document.status == Document.Status.RECALLED or document.recalled_at:
        notes.append(
            _("Đã thu hồi ngày %(date)s: %(reason)s")
            % {"date": _short(document.recalled_at), "reason": document.recall_reason}
        )
    if document.corrects_id:
        notes.append(_("Đính chính văn bản số %(n)s") % {"n": document.corrects_notation})
    if document.replaces_id:
        notes.append(_("Thay thế văn bản số %(n)s") % {"n": document.replaces_notation})
    if related.corrections:
        notes.append(
            _("Được đính chính bởi văn bản số %(n)s") % {"n": ", ".join(related.corrections)}
        )
    if related.replacements:
        notes.append(
            _("Được thay thế bởi văn bản số %(n)s") % {"n": ", ".join(related.replacements)}
        )
    return "; ".join(notes)


def outgoing_row(document: Any, related: Related, *, reveal: bool = True) -> RegisterRow:
    """Mẫu I's ten columns for an issued document of ``registers.outgoing_queryset``."""
    lines = related.lines
    archive = [text for text in lines if text.strip().startswith(ARCHIVE_PREFIX)]
    recipients = [text for text in lines if text not in archive]
    total, done = document.receipts_total, document.receipts_done
    copies = total or document.archive_copies
    sent = _day(document.distributed_at) or document.issued_on
    return RegisterRow(
        number=document.number,
        cells=(
            document.notation,
            document.issued_on,
            type_and_subject(document, reveal=reveal),
            document.signer_name,
            "; ".join(recipients),
            _archive_holder(document, archive),
            copies,
            sent,
            _("%(done)s/%(total)s đơn vị đã nhận") % {"done": done, "total": total}
            if total
            else "",
            _outgoing_notes(document, related),
        ),
    )


# --- VI. the incoming register --------------------------------------------------------------


def _receiver(record: IncomingRecord) -> str:
    lead = getattr(record, "lead_unit_name", None)
    if lead:
        return lead
    return display_name(record.presented_to) if record.presented_to_id else ""


def _incoming_notes(record: IncomingRecord) -> str:
    notes = []
    if record.status == IncomingRecord.Status.SENT_BACK:
        notes.append(
            _("Trả lại nơi gửi ngày %(date)s: %(reason)s")
            % {"date": _short(record.sent_back_at), "reason": record.sent_back_reason}
        )
    original = record.duplicate_of if record.duplicate_of_id else None
    if original is not None:
        notes.append(
            _("Trùng với văn bản đến số %(n)s/%(y)s")
            % {"n": original.arrival_number, "y": original.arrival_year}
        )
    document = record.document
    if record.status == IncomingRecord.Status.RECALLED or document.recalled_at:
        notes.append(
            _("Nơi gửi đã thu hồi %(date)s %(reason)s")
            % {"date": _short(document.recalled_at), "reason": document.recall_reason}
        )
    if record.notes:
        notes.append(record.notes)
    return "; ".join(" ".join(note.split()) for note in notes)


def incoming_row(record: Any, *, reveal: bool = True) -> RegisterRow:
    """Mẫu VI's ten columns for a record of ``registers.incoming_queryset``."""
    document = record.document
    sent = record.presented_at or record.instructed_at
    signed = ""
    if record.instructed_at:
        signed = f"{display_name(record.instructed_by)} ({_short(record.instructed_at)})"
    return RegisterRow(
        number=record.arrival_number,
        cells=(
            _day(record.arrival_at),
            record.arrival_number,
            record.sender_name,
            document.notation,
            document.issued_on,
            type_and_subject(document, reveal=reveal),
            _receiver(record),
            _day(sent),
            signed,
            _incoming_notes(record),
        ),
    )


# --- VIII. the follow-up register -----------------------------------------------------------


def progress(record: Any, due: dt.date | None, today: dt.date) -> str:
    """The handling's progress as shown: "Quá hạn" (computed, never stored) when still open
    past its deadline, as documents.followup.selectors rules for assignments."""
    if record.status in CLOSED_INCOMING:
        return str(IncomingRecord.Status(record.status).label)
    status = getattr(record, "assignment_status", None)
    still_open = status is None or status in (*Assignment.OPEN_STATUSES, Assignment.Status.PLANNED)
    if due is not None and due < today and still_open:
        return str(Assignment.OVERDUE_LABEL)
    if status and status != Assignment.Status.PLANNED:
        return str(Assignment.Status(status).label)
    return str(IncomingRecord.Status(record.status).label)


def follow_up_row(record: Any, related: Related, *, today: dt.date) -> RegisterRow:
    """Mẫu VIII's seven columns for a record of ``registers.incoming_queryset``."""
    document = record.document
    described = _("%(type)s số %(notation)s ngày %(date)s của %(sender)s") % {
        "type": _type_name(document),
        "notation": document.notation,
        "date": _short(document.issued_on),
        "sender": record.sender_name,
    }
    due = getattr(record, "assignment_due", None) or record.due_on
    notes = []
    if record.done_at:
        notes.append(_("Giải quyết xong ngày %(date)s") % {"date": _short(record.done_at)})
    if record.notes:
        notes.append(record.notes)
    receiver = _receiver(record) or (display_name(record.handler) if record.handler_id else "")
    return RegisterRow(
        number=record.arrival_number,
        cells=(
            record.arrival_number,
            described,
            receiver,
            due,
            progress(record, due, today),
            "; ".join(related.replies),
            "; ".join(notes),
        ),
    )
