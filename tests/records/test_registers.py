"""The registers of Phụ lục IV through their selectors: the right rows (not another agency's,
book's or year's), in order, with the decree's column values, the date filter, and a constant
number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents.models import (
    Assignment,
    Document,
    DocumentType,
    IncomingRecord,
    Organization,
    RecipientLine,
    Unit,
)
from documents.records import registers
from tests.conftest import ISSUE_DATE

YEAR = ISSUE_DATE.year


def agency() -> Organization:
    return Organization.objects.get(abbreviation="STTTT")


def register(kind: str, book: str, year: int = YEAR, **options) -> registers.Register:
    return registers.Register(
        kind=kind, organization=agency(), book=book, year=year, today=ISSUE_DATE, **options
    )


def outgoing(number: int, *, book: str = "HC", year: int = YEAR, organization=None, **fields):
    """An issued outgoing document made directly (the register only reads it)."""
    kind = DocumentType.objects.get(abbreviation="KH")
    issued_on = fields.pop("issued_on", dt.date(year, 3, min(number, 28)))
    return Document.objects.create(
        origin=Document.Origin.OUTGOING,
        organization=organization or agency(),
        document_type=kind,
        type_name=kind.name,
        subject=fields.pop("subject", f"Kế hoạch số {number}"),
        status=fields.pop("status", Document.Status.ISSUED),
        register_key=book,
        number=number,
        notation=f"{number:02d}/KH-STTTT",
        issued_on=issued_on,
        issued_year=year,
        signer_name="Trần Văn Phó",
        **fields,
    )


def incoming(
    number: int,
    *,
    book: str = "DEN",
    year: int = YEAR,
    organization=None,
    arrived: dt.date | None = None,
    users=None,
    **fields,
) -> IncomingRecord:
    """An incoming document and its record, made directly (the incoming services are another
    helper's)."""
    kind = DocumentType.objects.get(name="Công văn")
    organization = organization or agency()
    document = Document.objects.create(
        origin=Document.Origin.INCOMING,
        organization=organization,
        document_type=kind,
        subject=fields.pop("subject", f"Về việc số {number}"),
        status=Document.Status.ISSUED,
        notation=f"{100 + number}/CAT-PV01",
        issued_on=dt.date(year, 2, 1),
        issued_year=year,
        confidentiality=fields.pop("confidentiality", ""),
    )
    arrived = arrived or dt.date(year, 2, min(number, 28))
    at = timezone.make_aware(dt.datetime.combine(arrived, dt.time(9, 30)))
    return IncomingRecord.objects.create(
        document=document,
        organization=organization,
        book=book,
        arrival_year=year,
        arrival_number=number,
        arrival_at=at,
        sender_name="Công an tỉnh",
        registered_by=users.vanthu,
        **fields,
    )


def column(rows, index: int) -> list:
    return [row.cells[index] for row in rows]


# --- I. outgoing ----------------------------------------------------------------------------


def test_the_outgoing_register_holds_the_issued_documents_of_its_book_and_year(issued, users):
    second = outgoing(2)
    outgoing(1, book="MAT", subject="Mật", confidentiality="mat")
    outgoing(3, year=YEAR - 1)
    outgoing(4, organization=Organization.objects.get(abbreviation="UBND"))
    outgoing(5, status=Document.Status.SIGNED)  # not issued: not in the register
    rows = registers.register_rows(register("di", "HC"))
    assert [row.number for row in rows] == [1, 2]
    assert column(rows, 0) == [issued.notation, second.notation]
    assert len(rows[0].cells) == 10
    first = rows[0].cells
    assert first[1] == ISSUE_DATE
    assert first[2] == f"Kế hoạch: {issued.subject}"
    assert first[3] == issued.signer_name
    assert first[4] == "Công an tỉnh; Các phòng, Trung tâm"
    assert first[5] == "VT"  # the "Lưu: VT" line
    receipts = issued.receipts.count()
    assert receipts > 0 and first[6] == receipts
    assert first[7] == ISSUE_DATE  # the DISTRIBUTED event's date
    assert first[8] == f"0/{receipts} đơn vị đã nhận"
    assert first[9] == ""
    confidential = registers.register_rows(register("di", "MAT"))
    assert [row.cells[2] for row in confidential] == ["Kế hoạch: Mật"]


def test_acknowledged_receipts_and_the_notes_of_recall_and_correction(issued, users):
    receipt = issued.receipts.first()
    receipt.status = receipt.Status.ACKNOWLEDGED
    receipt.save()
    recalled = outgoing(
        2,
        status=Document.Status.RECALLED,
        recalled_at=timezone.make_aware(dt.datetime(YEAR, 3, 9, 10)),
        recall_reason="Sai thể thức",
    )
    correction = outgoing(3, corrects=issued)
    replacement = outgoing(4, replaces=recalled)
    rows = {row.number: row.cells for row in registers.register_rows(register("di", "HC"))}
    assert rows[1][8].startswith("1/")
    assert rows[1][9] == f"Được đính chính bởi văn bản số {correction.notation}"
    assert rows[2][9] == (
        f"Đã thu hồi ngày 09/03/{YEAR}: Sai thể thức; "
        f"Được thay thế bởi văn bản số {replacement.notation}"
    )
    assert rows[3][9] == f"Đính chính văn bản số {issued.notation}"
    assert rows[4][9] == f"Thay thế văn bản số {recalled.notation}"


def test_the_outgoing_register_filtered_by_dates(demo):
    for number in (1, 2, 3):
        outgoing(number, issued_on=dt.date(YEAR, 1, number * 10))
    narrowed = register("di", "HC", date_from=dt.date(YEAR, 1, 15), date_to=dt.date(YEAR, 1, 30))
    assert [row.number for row in registers.register_rows(narrowed)] == [2, 3]
    cover = registers.register_cover(narrowed)
    assert (cover.first_number, cover.last_number) == (2, 3)
    assert cover.first_date == dt.date(YEAR, 1, 15)


# --- VI. incoming ---------------------------------------------------------------------------


def test_the_incoming_register_holds_its_book_and_year_in_arrival_order(users):
    second = incoming(2, users=users)
    first = incoming(1, users=users)
    incoming(1, book="DEN-MAT", users=users, confidentiality="mat")
    incoming(3, year=YEAR - 1, users=users)
    incoming(4, organization=Organization.objects.get(abbreviation="UBND"), users=users)
    Assignment.objects.create(
        plan=second.document,
        task="Tham mưu trả lời",
        lead_unit=Unit.objects.get(abbreviation="VP"),
        status=Assignment.Status.IN_PROGRESS,
    )
    first.presented_to = users.giamdoc
    first.presented_at = timezone.make_aware(dt.datetime(YEAR, 2, 2, 8))
    first.status = IncomingRecord.Status.SENT_BACK
    first.sent_back_reason = "Gửi nhầm cơ quan"
    first.sent_back_at = timezone.make_aware(dt.datetime(YEAR, 2, 3, 8))
    first.save()
    rows = registers.register_rows(register("den", "DEN"))
    assert [row.number for row in rows] == [1, 2]
    cells = rows[0].cells
    assert len(cells) == 10
    assert cells[0] == dt.date(YEAR, 2, 1)
    assert cells[1] == 1
    assert cells[2] == "Công an tỉnh"
    assert cells[3] == first.document.notation
    assert cells[4] == dt.date(YEAR, 2, 1)
    assert cells[5] == "Công văn: Về việc số 1"
    assert cells[6] == users.giamdoc.last_name + " " + users.giamdoc.first_name
    assert cells[7] == dt.date(YEAR, 2, 2)
    assert cells[9] == f"Trả lại nơi gửi ngày 03/02/{YEAR}: Gửi nhầm cơ quan"
    assert rows[1].cells[6] == "Văn phòng"
    assert [r.number for r in registers.register_rows(register("den", "DEN-MAT"))] == [1]


def test_the_incoming_register_filtered_by_arrival_dates(users):
    for number in (1, 2, 3):
        incoming(number, arrived=dt.date(YEAR, 4, number), users=users)
    narrowed = register("den", "DEN", date_from=dt.date(YEAR, 4, 2), date_to=dt.date(YEAR, 4, 2))
    assert [row.number for row in registers.register_rows(narrowed)] == [2]


# --- VIII. follow-up ------------------------------------------------------------------------


def test_the_follow_up_register_keeps_records_with_a_deadline_and_computes_overdue(users):
    late = incoming(1, users=users, due_on=ISSUE_DATE - dt.timedelta(days=3))
    late.status = IncomingRecord.Status.ASSIGNED
    late.save()
    incoming(2, users=users)  # no deadline, no assignment: not followed up
    answered = incoming(3, users=users)
    Assignment.objects.create(
        plan=answered.document,
        task="Trả lời",
        lead_unit=Unit.objects.get(abbreviation="TTBCXB"),
        status=Assignment.Status.IN_PROGRESS,
        due_on=ISSUE_DATE + dt.timedelta(days=5),
    )
    reply = outgoing(7)
    reply.cites.add(answered.document)
    outgoing(8, status=Document.Status.DRAFT).cites.add(answered.document)  # not issued
    rows = registers.register_rows(register("theo-doi", "DEN"))
    assert [row.number for row in rows] == [1, 3]
    assert len(rows[0].cells) == 7
    assert rows[0].cells[1] == (
        f"Công văn số {late.document.notation} ngày 01/02/{YEAR} của Công an tỉnh"
    )
    assert rows[0].cells[3] == ISSUE_DATE - dt.timedelta(days=3)
    assert rows[0].cells[4] == "Quá hạn"
    assert IncomingRecord.objects.get(pk=late.pk).status == IncomingRecord.Status.ASSIGNED
    assert rows[1].cells[2] == Unit.objects.get(abbreviation="TTBCXB").name
    assert rows[1].cells[3] == ISSUE_DATE + dt.timedelta(days=5)
    assert rows[1].cells[4] == "Đang thực hiện"
    assert rows[1].cells[5] == reply.notation


def test_a_handled_record_is_not_overdue(users):
    record = incoming(1, users=users, due_on=ISSUE_DATE - dt.timedelta(days=3))
    record.status = IncomingRecord.Status.DONE
    record.done_at = timezone.make_aware(dt.datetime(YEAR, 2, 5, 10))
    record.save()
    (row,) = registers.register_rows(register("theo-doi", "DEN"))
    assert row.cells[4] == "Đã giải quyết xong"
    assert row.cells[6] == f"Giải quyết xong ngày 05/02/{YEAR}"


# --- which books, and the cost --------------------------------------------------------------


def test_books_of_the_agency_per_year_hide_the_confidential_ones_from_leaders(issued, users):
    outgoing(1, book="MAT", confidentiality="mat")
    incoming(1, users=users, due_on=ISSUE_DATE)
    incoming(1, book="DEN-MAT", users=users)
    every = {
        (s.kind, s.book, s.year, s.count) for s in registers.books_of(agency(), confidential=True)
    }
    assert every == {
        ("di", "HC", YEAR, 1),
        ("di", "MAT", YEAR, 1),
        ("den", "DEN", YEAR, 1),
        ("den", "DEN-MAT", YEAR, 1),
        ("theo-doi", "DEN", YEAR, 1),
    }
    ordinary = {(s.kind, s.book) for s in registers.books_of(agency(), confidential=False)}
    assert ordinary == {("di", "HC"), ("den", "DEN"), ("theo-doi", "DEN")}


def _outgoing_with_lines(count: int, start: int) -> None:
    units = list(Unit.objects.filter(abbreviation__in=["CA", "VP"]))
    for number in range(start, start + count):
        document = outgoing(number)
        for position, unit in enumerate(units):
            line = RecipientLine.objects.create(
                document=document, position=position, text=unit.name
            )
            line.units.add(unit)
            document.receipts.create(unit=unit)


def _incoming_with_replies(count: int, start: int, users) -> None:
    for number in range(start, start + count):
        record = incoming(number, users=users, due_on=ISSUE_DATE)
        Assignment.objects.create(
            plan=record.document, task="Xử lý", lead_unit=Unit.objects.get(abbreviation="VP")
        )
        outgoing(1000 + number, book="CV").cites.add(record.document)


def _queries(reg: registers.Register) -> int:
    with CaptureQueriesContext(connection) as captured:
        rows = registers.register_rows(reg)
    assert rows
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", ["di", "den", "theo-doi"])
def test_the_rows_cost_the_same_queries_with_3_and_30_documents(
    kind, users, django_assert_max_num_queries
):
    book = "HC" if kind == "di" else "DEN"

    def grow(count: int, start: int) -> None:
        if kind == "di":
            _outgoing_with_lines(count, start)
        else:
            _incoming_with_replies(count, start, users)

    grow(3, 1)
    small = _queries(register(kind, book))
    grow(27, 4)
    larger = register(kind, book)
    with django_assert_max_num_queries(small):
        rows = registers.register_rows(larger)
    assert len(rows) == 30
    assert small <= 4
