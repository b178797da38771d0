"""Incoming documents over HTTP: reception, the list and the page for each role, the steps
(POST only), refusals that change nothing, form errors, and the printable phiếu."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from approvals.models import Notification
from documents.models import Assignment, Document, DocumentType, Event, IncomingRecord, Unit
from tests.documents.pdf_helpers import pdf_bytes

pytestmark = pytest.mark.django_db

LIST = reverse("records:incoming_list")
CREATE = reverse("records:incoming_create")


def url(name: str, record: IncomingRecord) -> str:
    return reverse(f"records:{name}", args=[record.document_id])


def unit(abbreviation: str) -> Unit:
    return Unit.objects.get(abbreviation=abbreviation)


def snapshot(record: IncomingRecord | None = None) -> dict:
    """What a refused request leaves as it was."""
    data = {
        "records": list(IncomingRecord.objects.values_list("pk", "status", "handler", "result")),
        "events": Event.objects.count(),
        "assignments": list(Assignment.objects.values_list("pk", "status")),
        "notifications": Notification.objects.count(),
        "documents": Document.objects.count(),
    }
    return data


def form_data(**overrides) -> dict:
    data = {
        "sender_name": "Công an tỉnh Bình Phước",
        "sender_unit": str(unit("CA").pk),
        "notation": "83/CAT-PC08",
        "issued_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "document_type": str(DocumentType.objects.get(name="Công văn").pk),
        "subject": "V/v phối hợp bảo đảm trật tự an toàn giao thông",
        "signer_name": "Nguyễn Văn An",
        "urgency": "",
        "confidentiality": "",
        "channel": "electronic",
        "upload": io.BytesIO(pdf_bytes()),
    }
    data["upload"].name = "cong-van.pdf"
    data.update(overrides)
    return data


def test_the_clerk_registers_through_the_form_and_sees_the_number(client_for, users):
    client = client_for("vanthu")
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, form_data())
    assert response.status_code == 302
    record = IncomingRecord.objects.get()
    assert response["Location"] == url("incoming_detail", record)
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{record.arrival_number}/{record.arrival_year}" in text
    assert 'data-status="none"' in text
    assert "83/CAT-PC08" in text


def test_a_duplicate_shows_a_warning_and_the_checkbox_registers_it(client_for, users):
    client = client_for("vanthu")
    assert client.post(CREATE, form_data()).status_code == 302
    before = snapshot()
    response = client.post(CREATE, form_data(notation="83/cat-pc08"))
    assert response.status_code == 422
    assert 'data-testid="duplicate-warning"' in response.content.decode()
    assert snapshot() == before
    response = client.post(CREATE, form_data(notation="83/cat-pc08", confirm_duplicate="on"))
    assert response.status_code == 302
    assert IncomingRecord.objects.filter(duplicate_of__isnull=False).count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"issued_on": "31/02/2020"},
        {"issued_on": "2999-01-01"},
        {"document_type": "999999999999999999999"},
        {"notation": ""},
        {"urgency": "rat-khan"},
        {"due_on": "2000-01-01"},
        {"sender_unit": "abc"},
    ],
)
def test_bad_input_is_a_form_error_never_a_500(client_for, bad):
    before = snapshot()
    response = client_for("vanthu").post(CREATE, form_data(**bad))
    assert response.status_code == 422
    assert snapshot() == before


def test_an_executable_is_refused_beside_the_file_field(client_for):
    upload = io.BytesIO(b"MZ\x90\x00\x03 binary")
    upload.name = "scan.pdf"
    response = client_for("vanthu").post(CREATE, form_data(upload=upload))
    assert response.status_code == 422
    assert not IncomingRecord.objects.exists()


@pytest.mark.parametrize("who", ["chuyenvien", "giamdoc", "congan", "ttbcxb", "quantri"])
def test_only_the_clerk_opens_reception(client_for, who):
    client = client_for(who)
    assert client.get(CREATE).status_code == 403
    before = snapshot()
    assert client.post(CREATE, form_data()).status_code == 403
    assert snapshot() == before


def _walk_to_assigned(client_for, record):
    assert (
        client_for("vanthu")
        .post(url("incoming_present", record), {"leader": record_leader()})
        .status_code
        == 302
    )
    response = client_for("giamdoc").post(
        url("incoming_instruct", record),
        {
            "instruction": "Phòng TTBCXB chủ trì trả lời.",
            "lead_unit": unit("TTBCXB").pk,
            "supporting_units": [unit("VP").pk],
            "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def record_leader() -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="giamdoc").pk


def test_present_instruct_and_the_lead_unit_sees_it_another_unit_does_not(
    client_for, incoming_register
):
    record = incoming_register(urgency=Document.Urgency.HOA_TOC)
    _walk_to_assigned(client_for, record)
    record.refresh_from_db()
    assert record.status == IncomingRecord.Status.ASSIGNED
    lead = client_for("ttbcxb")
    listing = lead.get(LIST).content.decode()
    assert "83/CAT-PC08" in listing and 'data-testid="urgent"' in listing
    page = lead.get(url("incoming_detail", record))
    assert page.status_code == 200
    assert 'data-testid="give"' in page.content.decode()  # the unit's head gives it out
    assert 'data-testid="incoming-answer"' in page.content.decode()
    other = client_for("bcvtcntt")
    assert "83/CAT-PC08" not in other.get(LIST).content.decode()
    assert other.get(url("incoming_detail", record)).status_code == 404
    assert other.get(url("incoming_slip", record)).status_code == 404


def test_the_unit_answers_citing_it_and_marks_it_done(client_for, incoming_register, users):
    record = incoming_register()
    _walk_to_assigned(client_for, record)
    head = client_for("ttbcxb")
    response = head.post(
        url("incoming_give", record), {"handler": users.ttbcxb.pk, "unit_instruction": "Xử lý."}
    )
    assert response.status_code == 302
    assert head.post(url("incoming_propose", record), {"proposal": "Trả lời"}).status_code == 302
    # "Soạn văn bản trả lời": the drafting form comes with the incoming document cited.
    form = head.get(reverse("documents:document_create") + f"?cites={record.document_id}")
    assert form.status_code == 200
    assert f'<option value="{record.document_id}" selected>' in form.content.decode()
    response = head.post(
        reverse("documents:document_create") + f"?cites={record.document_id}",
        {
            "document_type": DocumentType.objects.get(name="Công văn").pk,
            "subject": "V/v trả lời Công an tỉnh",
            "body": "Trả lời công văn số 83/CAT-PC08.",
            "cites": [record.document_id],
            "recipients-TOTAL_FORMS": "1",
            "recipients-INITIAL_FORMS": "0",
            "recipients-MIN_NUM_FORMS": "0",
            "recipients-MAX_NUM_FORMS": "1000",
            "recipients-0-text": "Công an tỉnh",
            "recipients-0-units": [unit("CA").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reply = record.document.cited_by.get()
    assert reply.origin == Document.Origin.OUTGOING
    page = head.get(url("incoming_detail", record)).content.decode()
    assert "V/v trả lời Công an tỉnh" in page
    before = snapshot()
    assert head.post(url("incoming_complete", record), {"result": " "}).status_code == 422
    assert snapshot() == before
    assert head.post(url("incoming_complete", record), {"result": "Đã trả lời."}).status_code == 302
    record.refresh_from_db()
    assert record.status == IncomingRecord.Status.DONE
    assert Assignment.objects.get(plan=record.document).status == Assignment.Status.DONE


def test_send_back_over_http_needs_a_reason(client_for, incoming_register):
    record = incoming_register()
    clerk = client_for("vanthu")
    before = snapshot()
    assert clerk.post(url("incoming_send_back", record), {"reason": ""}).status_code == 422
    assert snapshot() == before
    response = clerk.post(url("incoming_send_back", record), {"reason": "Gửi nhầm."})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == IncomingRecord.Status.SENT_BACK


@pytest.mark.parametrize(
    ("name", "who", "expected"),
    [
        ("incoming_present", "giamdoc", 403),
        ("incoming_present", "chuyenvien", 404),  # not visible to a unit before assignment
        ("incoming_present", "congan", 404),
        ("incoming_send_back", "phogiamdoc", 403),
        ("incoming_instruct", "vanthu", 403),
        ("incoming_instruct", "giamdoc", 403),  # not presented yet
        ("incoming_give", "vanthu", 403),
        ("incoming_propose", "vanthu", 403),
        ("incoming_complete", "vanthu", 403),
        ("incoming_complete", "bcvtcntt", 404),
        ("incoming_present", "quantri", 404),
    ],
)
def test_every_refused_step_is_403_or_404_and_changes_nothing(
    client_for, incoming_register, users, name, who, expected
):
    record = incoming_register()
    data = {
        "leader": users.giamdoc.pk,
        "reason": "Gửi nhầm.",
        "instruction": "X",
        "lead_unit": unit("VP").pk,
        "handler": users.ttbcxb.pk,
        "proposal": "X",
        "result": "X",
    }
    before = snapshot()
    assert client_for(who).post(url(name, record), data).status_code == expected
    assert snapshot() == before


def test_steps_are_post_only(client_for, incoming_register):
    record = incoming_register()
    assert client_for("vanthu").get(url("incoming_present", record)).status_code == 405


def test_the_slip_is_a_pdf_with_the_notation_and_the_print_mark(client_for, incoming_register):
    record = incoming_register()
    _walk_to_assigned(client_for, record)
    response = client_for("giamdoc").get(url("incoming_slip", record))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in flat
    assert "83/CAT-PC08" in flat
    assert "In từ hệ thống Văn thư" in flat
    assert "Phòng TTBCXB chủ trì trả lời." in flat
    assert not record.document.events.filter(kind=Event.Kind.PRINTED).exists()


def test_a_confidential_one_records_its_read_and_its_print(client_for, incoming_register):
    record = incoming_register(confidentiality="mat")
    clerk = client_for("vanthu")
    assert clerk.get(url("incoming_detail", record)).status_code == 200
    assert record.document.events.filter(kind=Event.Kind.READ).count() == 1
    assert clerk.get(url("incoming_slip", record)).status_code == 200
    assert record.document.events.filter(kind=Event.Kind.PRINTED).count() == 1
    # The leaders do not see it before it is presented.
    assert client_for("giamdoc").get(url("incoming_detail", record)).status_code == 404


def test_the_list_filters_and_costs_the_same_whatever_the_rows(
    client_for, incoming_register, django_assert_max_num_queries
):
    from tests.records.test_incoming import _other_upload

    for n in range(3):
        incoming_register(notation=f"{n}/X", upload=_other_upload())
    client = client_for("vanthu")
    client.get(LIST)  # warm the session and caches
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.content.decode().count('data-testid="incoming-row"') == 3
    for n in range(3, 15):
        incoming_register(notation=f"{n}/X", upload=_other_upload())
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.content.decode().count('data-testid="incoming-row"') == 15
    filtered = client.get(LIST, {"q": "7/X", "status": "registered"}).content.decode()
    assert filtered.count('data-testid="incoming-row"') == 1
    assert client.get(LIST, {"year": "abc"}).status_code == 200
    assert client.get(LIST, {"status": "nonsense"}).status_code == 200


@pytest.mark.parametrize(
    "query", ["", "?cites=", "?cites=abc", "?cites=²", "?cites=99999999999999999999999"]
)
def test_the_drafting_form_opens_whatever_its_cites_parameter(client_for, query):
    response = client_for("chuyenvien").get(reverse("documents:document_create") + query)
    assert response.status_code == 200
