"""Incoming documents through the services: registration (số đến, file, signatures,
duplicates), presenting, the leader's instruction and its follow-up, handling, sending back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals.models import Notification
from documents import pki, signers, signing
from documents.followup import reminders
from documents.followup import selectors as followup_selectors
from documents.models import (
    Assignment,
    Document,
    Event,
    IncomingRecord,
    RegisterCounter,
    Reminder,
    Unit,
)
from documents.records import incoming
from documents.selectors import document_list_visible_to
from tests.documents.pdf_helpers import pdf_bytes

pytestmark = pytest.mark.django_db

Status = IncomingRecord.Status


def unit(abbreviation: str) -> Unit:
    return Unit.objects.get(abbreviation=abbreviation)


def state() -> dict:
    """What a refused registration must leave as it was."""
    return {
        "records": IncomingRecord.objects.count(),
        "documents": Document.objects.count(),
        "counters": list(RegisterCounter.objects.values_list("key", "year", "last_number")),
        "events": Event.objects.count(),
        "notifications": Notification.objects.count(),
    }


def record_state(record: IncomingRecord) -> dict:
    record.refresh_from_db()
    return {
        "status": record.status,
        "presented_to": record.presented_to_id,
        "instruction": record.instruction,
        "handler": record.handler_id,
        "result": record.result,
        "events": list(record.document.events.values_list("pk", flat=True)),
        "assignments": list(Assignment.objects.filter(plan=record.document).values("status")),
        "notifications": Notification.objects.count(),
    }


def signed_pdf() -> bytes:
    """A PDF signed with the demo agency key of the test PKI (tests/conftest signing_keys)."""
    return signing.sign_with(
        signers.demo_agency_credentials(),
        pdf_bytes(),
        reason="Ban hành",
        location="Bình Phước",
        field_name="Signature1",
    )


def tamper(pdf: bytes) -> bytes:
    """One byte of the signed content changed (inside the page, before the signature)."""
    offset = pdf.index(b"/MediaBox") + 12
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1 :]


# --- registration ----------------------------------------------------------------------


def test_registering_gives_the_next_number_of_the_year_and_records_it(incoming_register, users):
    first = incoming_register()
    second = incoming_register(notation="84/CAT-PC08", upload=None or _other_upload())
    year = timezone.localdate().year
    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert first.book == "DEN" and first.arrival_year == year
    document = first.document
    assert document.origin == Document.Origin.INCOMING
    assert document.status == Document.Status.ISSUED
    assert document.notation == "83/CAT-PC08" and document.number is None
    assert document.issuer_name == "Công an tỉnh Bình Phước"
    assert document.attachments.get().sha256 == first.file_sha256
    event = document.events.get(kind=Event.Kind.REGISTERED)
    assert event.data["arrival_number"] == 1
    assert event.data["notation"] == "83/CAT-PC08"
    assert event.data["signature_status"] == "none"
    assert document.events.filter(kind=Event.Kind.ATTACHED).exists()
    # The văn thư and the leaders see it; a unit does not, yet.
    assert document_list_visible_to(users.vanthu).filter(pk=document.pk).exists()
    assert document_list_visible_to(users.giamdoc).filter(pk=document.pk).exists()
    assert not document_list_visible_to(users.ttbcxb).filter(pk=document.pk).exists()
    # Công an tỉnh (the sender, with a user here) is told of receipt.
    assert Notification.objects.filter(unit=unit("CA"), document=document).exists()


_counter = iter(range(10_000))


def _other_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    # A different file (its hash differs): a blank page of another size.
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=500 + next(_counter), height=800)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("scan.pdf", buffer.getvalue(), content_type="application/pdf")


def test_a_confidential_document_goes_into_its_own_book(incoming_register, users):
    incoming_register()
    secret = incoming_register(
        notation="12/CAT-PA03", confidentiality="mat", upload=_other_upload()
    )
    assert (secret.book, secret.arrival_number) == ("DEN-MAT", 1)
    # Not for the leaders until it is presented to one of them.
    assert not document_list_visible_to(users.giamdoc).filter(pk=secret.document_id).exists()
    incoming.incoming_present(record=secret, actor=users.vanthu, leader=users.giamdoc)
    assert document_list_visible_to(users.giamdoc).filter(pk=secret.document_id).exists()
    assert not document_list_visible_to(users.phogiamdoc).filter(pk=secret.document_id).exists()
    message = Notification.objects.get(recipient=users.giamdoc, document=secret.document)
    assert "phối hợp" not in message.message  # the subject of a confidential one is not told


@pytest.mark.parametrize("who", ["chuyenvien", "giamdoc", "congan", "quantri", "chanhvanphong"])
def test_only_the_clerk_registers_and_a_refusal_changes_nothing(incoming_register, users, who):
    before = state()
    with pytest.raises(PermissionDenied):
        incoming_register(actor=users[who])
    assert state() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "  "),
        ("notation", ""),
        ("sender_name", ""),
        ("issued_on", None),
        ("urgency", "rat-khan"),
        ("channel", "fax"),
    ],
)
def test_bad_metadata_is_a_field_error_and_nothing_is_registered(incoming_register, field, value):
    before = state()
    with pytest.raises(ValidationError) as error:
        incoming_register(**{field: value})
    assert field in error.value.message_dict
    assert state() == before


def test_a_file_that_is_not_a_pdf_or_a_scan_is_refused(incoming_register, incoming_upload):
    before = state()
    with pytest.raises(ValidationError) as error:
        incoming_register(upload=incoming_upload(b"MZ\x90\x00 not a document", name="a.exe"))
    assert "upload" in error.value.message_dict
    assert state() == before


def test_a_duplicate_is_flagged_and_registered_only_when_confirmed(incoming_register):
    first = incoming_register()
    before = state()
    # Same sender and notation (other case and spacing), another file.
    with pytest.raises(ValidationError) as error:
        incoming_register(
            notation="83 / cat-pc08",
            sender_name="CÔNG AN TỈNH  Bình Phước",
            sender_unit=None,
            upload=_other_upload(),
        )
    assert "confirm_duplicate" in error.value.message_dict
    assert state() == before
    # Same file, another notation.
    with pytest.raises(ValidationError):
        incoming_register(notation="99/XYZ")
    assert state() == before
    again = incoming_register(confirm_duplicate=True)
    assert again.duplicate_of == first
    assert again.arrival_number == 2
    assert again.document.events.get(kind=Event.Kind.REGISTERED).data["duplicate_of"] == (
        first.document_id
    )


def test_signature_results_valid_none_and_invalid(incoming_register, incoming_upload, signing_keys):
    pdf = signed_pdf()
    valid = incoming_register(upload=incoming_upload(pdf))
    assert valid.signature_status == IncomingRecord.SignatureStatus.VALID
    [report] = valid.signature_report
    assert report["intact"] and report["trusted"]
    assert report["signer"] == "Sở Thông tin và Truyền thông"
    scan = incoming_register(
        notation="2/X", upload=_other_upload(), sender_name="Ban An toàn giao thông"
    )
    assert scan.signature_status == IncomingRecord.SignatureStatus.NONE
    assert scan.signature_report == []
    tampered = incoming_register(
        notation="3/X", upload=incoming_upload(tamper(pdf)), sender_name="UBND tỉnh"
    )
    assert tampered.signature_status == IncomingRecord.SignatureStatus.INVALID


def test_a_signature_by_an_unknown_authority_is_untrusted(incoming_register, incoming_upload):
    ca = pki.make_ca(common_name="CA lạ", organization="Không tin cậy")
    stranger = pki.issue(ca, common_name="Người lạ", organization="Không tin cậy")
    pdf = signing.sign_with(
        stranger, pdf_bytes(), reason="Ký", location="Hà Nội", field_name="Signature1"
    )
    record = incoming_register(upload=incoming_upload(pdf))
    assert record.signature_status == IncomingRecord.SignatureStatus.UNTRUSTED


# --- present, instruct, follow up, handle -----------------------------------------------


@pytest.fixture
def assigned(incoming_register, users):
    record = incoming_register(urgency=Document.Urgency.KHAN)
    incoming.incoming_present(record=record, actor=users.vanthu)
    incoming.incoming_instruct(
        record=record,
        actor=users.giamdoc,
        instruction="Giao Phòng TTBCXB chủ trì, Văn phòng phối hợp, trả lời trước hạn.",
        lead_unit=unit("TTBCXB"),
        supporting_units=[unit("VP")],
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    record.refresh_from_db()
    return record


def test_presenting_defaults_to_the_director_and_tells_them(incoming_register, users):
    record = incoming_register()
    incoming.incoming_present(record=record, actor=users.vanthu)
    record.refresh_from_db()
    assert record.status == Status.PRESENTED
    assert record.presented_to == users.giamdoc
    assert record.document.events.filter(kind=Event.Kind.PRESENTED).exists()
    assert Notification.objects.filter(recipient=users.giamdoc, document=record.document).exists()


def test_the_instruction_makes_one_assignment_followed_like_a_plans(assigned, users):
    assert assigned.status == Status.ASSIGNED
    assert assigned.instructed_by == users.giamdoc
    assignment = Assignment.objects.get(plan=assigned.document)
    assert assignment.status == Assignment.Status.NOT_STARTED
    assert assignment.lead_unit == unit("TTBCXB")
    assert list(assignment.supporting_units.all()) == [unit("VP")]
    # The units see it and its assignment; another unit does not.
    assert document_list_visible_to(users.ttbcxb).filter(pk=assigned.document_id).exists()
    assert document_list_visible_to(users.chuyenvien).filter(pk=assigned.document_id).exists()
    assert not document_list_visible_to(users.bcvtcntt).filter(pk=assigned.document_id).exists()
    assert followup_selectors.visible_assignments(users.ttbcxb).filter(pk=assignment.pk).exists()
    assert (
        not followup_selectors.visible_assignments(users.bcvtcntt).filter(pk=assignment.pk).exists()
    )
    assert followup_selectors.open_for(users.ttbcxb).filter(pk=assignment.pk).exists()
    assert Notification.objects.filter(unit=unit("TTBCXB"), document=assigned.document).exists()
    event = assigned.document.events.get(kind=Event.Kind.INSTRUCTED)
    assert event.data["unit"] == unit("TTBCXB").name


def test_the_assignment_deadline_is_overdue_and_reminded(assigned, users):
    assignment = Assignment.objects.get(plan=assigned.document)
    late = assignment.due_on + dt.timedelta(days=3)
    row = followup_selectors.with_state(Assignment.objects.filter(pk=assignment.pk), late).get()
    assert row.state == Assignment.OVERDUE
    counts = reminders.send_due_reminders(today=late)
    assert counts["overdue"] == 1 and counts["escalation"] == 1
    assert Reminder.objects.filter(assignment=assignment, kind=Reminder.Kind.OVERDUE).exists()
    # The unit, its head and the leader who assigned it are told.
    assert Notification.objects.filter(
        unit=unit("TTBCXB"), kind=Notification.Kind.TASK_OVERDUE
    ).exists()
    escalated = Notification.objects.filter(
        kind=Notification.Kind.TASK_OVERDUE, recipient__isnull=False
    )
    assert {n.recipient.username for n in escalated} == {"ttbcxb", "giamdoc"}
    assert assigned.document.events.filter(kind=Event.Kind.TASK_OVERDUE).exists()


def test_the_unit_gives_it_out_proposes_answers_and_completes(assigned, users, seed_plan):
    incoming.incoming_give(
        record=assigned, actor=users.ttbcxb, handler=users.ttbcxb, unit_instruction="Xử lý ngay."
    )
    incoming.incoming_propose(record=assigned, actor=users.ttbcxb, proposal="Đề xuất trả lời.")
    assignment = Assignment.objects.get(plan=assigned.document)
    assert assignment.status == Assignment.Status.IN_PROGRESS
    from documents import services as documents

    reply = documents.document_create(
        actor=users.ttbcxb,
        organization=assigned.organization,
        document_type=assigned.document.document_type,
        subject="V/v trả lời Công an tỉnh",
        body="Trả lời.",
        recipients=[documents.RecipientSpec("Công an tỉnh", [unit("CA")])],
        cites=[assigned.document],
    )
    assert list(assigned.document.cited_by.all()) == [reply]
    incoming.incoming_complete(record=assigned, actor=users.ttbcxb, result="Đã trả lời.")
    assigned.refresh_from_db()
    assignment.refresh_from_db()
    assert assigned.status == Status.DONE and assigned.done_by == users.ttbcxb
    assert assignment.status == Assignment.Status.DONE
    assert assignment.completed_on == timezone.localdate()
    assert assigned.document.events.filter(kind=Event.Kind.HANDLED).exists()


def test_send_back_needs_a_reason_and_only_before_assignment(incoming_register, users, assigned):
    record = incoming_register(notation="7/BAT", upload=_other_upload(), sender_name="Ban ATGT")
    before = record_state(record)
    with pytest.raises(ValidationError):
        incoming.incoming_send_back(record=record, actor=users.vanthu, reason=" ")
    assert record_state(record) == before
    incoming.incoming_send_back(record=record, actor=users.vanthu, reason="Gửi nhầm cơ quan.")
    record.refresh_from_db()
    assert record.status == Status.SENT_BACK
    assert record.sent_back_reason == "Gửi nhầm cơ quan."
    assert record.document.events.get(kind=Event.Kind.SENT_BACK_TO_SENDER).comment == (
        "Gửi nhầm cơ quan."
    )
    before = record_state(assigned)
    with pytest.raises(PermissionDenied):
        incoming.incoming_send_back(record=assigned, actor=users.vanthu, reason="Muộn rồi.")
    assert record_state(assigned) == before


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("present", "chuyenvien"),
        ("present", "giamdoc"),
        ("instruct", "vanthu"),
        ("instruct", "chuyenvien"),
        ("send_back", "giamdoc"),
    ],
)
def test_a_step_by_the_wrong_person_is_refused_and_changes_nothing(
    incoming_register, users, step, who
):
    record = incoming_register()
    if step == "instruct":
        incoming.incoming_present(record=record, actor=users.vanthu)
    before = record_state(record)
    calls = {
        "present": lambda: incoming.incoming_present(
            record=record, actor=users[who], leader=users.giamdoc
        ),
        "instruct": lambda: incoming.incoming_instruct(
            record=record, actor=users[who], instruction="X", lead_unit=unit("VP")
        ),
        "send_back": lambda: incoming.incoming_send_back(
            record=record, actor=users[who], reason="X"
        ),
    }
    with pytest.raises(PermissionDenied):
        calls[step]()
    assert record_state(record) == before


@pytest.mark.parametrize("who", ["chuyenvien", "bcvtcntt", "vanthu"])
def test_unit_steps_by_others_are_refused(assigned, users, who):
    before = record_state(assigned)
    with pytest.raises(PermissionDenied):
        incoming.incoming_give(record=assigned, actor=users[who], handler=users.ttbcxb)
    with pytest.raises(PermissionDenied):
        incoming.incoming_propose(record=assigned, actor=users[who], proposal="X")
    if who != "chuyenvien":  # Văn phòng supports, it does not lead
        with pytest.raises(PermissionDenied):
            incoming.incoming_complete(record=assigned, actor=users[who], result="X")
    with pytest.raises(PermissionDenied):
        incoming.incoming_complete(record=assigned, actor=users.chuyenvien, result="X")
    assert record_state(assigned) == before


def test_the_instruction_refuses_a_unit_outside_the_agency(incoming_register, users):
    record = incoming_register()
    incoming.incoming_present(record=record, actor=users.vanthu)
    before = record_state(record)
    with pytest.raises(ValidationError) as error:
        incoming.incoming_instruct(
            record=record, actor=users.giamdoc, instruction="X", lead_unit=unit("CA")
        )
    assert "lead_unit" in error.value.message_dict
    with pytest.raises(ValidationError):
        incoming.incoming_instruct(
            record=record, actor=users.giamdoc, instruction="", lead_unit=unit("VP")
        )
    assert record_state(record) == before


def test_the_list_puts_waiting_urgent_ones_first_then_the_newest(incoming_register, users):
    older = incoming_register(urgency=Document.Urgency.KHAN)
    newer = incoming_register(notation="9/X", upload=_other_upload(), sender_name="UBND tỉnh")
    rows = list(incoming.incoming_list_visible_to(users.vanthu))
    assert rows == [older, newer]
    incoming.incoming_send_back(record=older, actor=users.vanthu, reason="Gửi nhầm.")
    assert list(incoming.incoming_list_visible_to(users.vanthu)) == [newer, older]
    assert list(incoming.incoming_list_visible_to(users.ttbcxb)) == []
    assert list(incoming.incoming_list_visible_to(users.congan)) == []
