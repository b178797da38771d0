"""Confidential documents (Mật and above, documents.confidential): no notification and no
e-mail names them or quotes anything of them, and every read of one, through each of its
doors, is on its trail; reads of other documents are not, and cost nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals import services
from approvals.models import Notification
from documents import confidential
from documents import services as documents
from documents.followup import reminders
from documents.followup.services import AssignmentSpec
from documents.models import Document, DocumentType, Event, Organization, Receipt, Unit
from tests.conftest import ISSUE_DATE
from tests.documents.pdf_helpers import pdf_bytes

MAT = Document.Confidentiality.MAT
SUBJECT = "Phương án bảo vệ mục tiêu trọng yếu dịp Quốc khánh"
BODY = "Bố trí lực lượng canh gác tại trạm phát sóng Đồng Xoài."
TASK = "Kiểm tra hệ thống camera tại trạm phát sóng"
COMMENT = "Bổ sung sơ đồ vị trí các chốt gác."
REASON = "Trùng với phương án của Công an tỉnh."
ATTACHMENT_NAME = "So-do-chot-gac.pdf"
DUE = dt.date(2020, 5, 5)  # a Tuesday; 28/4/2020 is three working days before it
# Everything of the document a message must not carry when it is confidential.
SECRETS = (SUBJECT, BODY, TASK, COMMENT, REASON, ATTACHMENT_NAME)


def make_plan(users, confidentiality: str, subject: str = SUBJECT) -> Document:
    """A plan of Văn phòng to Công an tỉnh, Văn phòng and the records office, assigning one
    task to Văn phòng, with one attachment."""
    units = {unit.abbreviation: unit for unit in Unit.objects.all()}
    plan = documents.document_create(
        actor=users["chuyenvien"],
        organization=Organization.objects.get(abbreviation="STTTT"),
        document_type=DocumentType.objects.get(abbreviation="KH"),
        subject=subject,
        body=BODY,
        confidentiality=confidentiality,
        recipients=[
            documents.RecipientSpec("Công an tỉnh", [units["CA"]]),
            documents.RecipientSpec("Văn phòng Sở", [units["VP"]]),
            documents.RecipientSpec("Lưu: VT", [units["VT"]]),
        ],
        assignments=[AssignmentSpec(task=TASK, lead_unit=units["VP"], due_on=DUE)],
    )
    documents.attachment_add(
        document=plan,
        actor=users["chuyenvien"],
        upload=SimpleUploadedFile(ATTACHMENT_NAME, pdf_bytes(), content_type="application/pdf"),
    )
    return plan


def live_whole_life(users, plan: Document) -> Document:
    """Submitted, returned with a comment, submitted again, signed off, issued, one receipt
    handed over, every receipt acknowledged (archived); then its task's reminders: three
    working days before, and overdue (escalated to the leaders)."""
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(
        document=plan, actor=users["phogiamdoc"], decision="return", comment=COMMENT
    )
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(document=plan, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=plan, actor=users["vanthu"], issued_on=ISSUE_DATE)
    office = Receipt.objects.get(document=plan, unit__abbreviation="VP")
    services.receipt_hand_over(receipt=office, actor=users["chanhvanphong"], to=users["chuyenvien"])
    assert reminders.send_due_reminders(today=dt.date(2020, 4, 28))["before"] == 1
    assert reminders.send_due_reminders(today=dt.date(2020, 5, 6))["escalation"] == 1
    for receipt in Receipt.objects.filter(document=plan).select_related("unit"):
        services.receipt_acknowledge(
            receipt=receipt, actor=receipt.assignee or receipt.unit.receiver
        )
    plan.refresh_from_db()
    assert plan.status == Document.Status.ARCHIVED
    return plan


def rejected_plan(users, confidentiality: str) -> Document:
    plan = make_plan(users, confidentiality, subject=SUBJECT + " (bản 2)")
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(
        document=plan, actor=users["phogiamdoc"], decision="reject", comment=REASON
    )
    return plan


# Every kind of notification about a document, each made at least once above.
KINDS = {
    Notification.Kind.ASSIGNED,  # submitted to the signer; signed off, to the văn thư; handed over
    Notification.Kind.RETURNED,
    Notification.Kind.REJECTED,
    Notification.Kind.SIGNED_OFF,
    Notification.Kind.ISSUED,
    Notification.Kind.DISTRIBUTED,
    Notification.Kind.ARCHIVED,
    Notification.Kind.TASK_REMINDER,
    Notification.Kind.TASK_OVERDUE,
}


def messages_of(*plans: Document) -> dict[str, list[str]]:
    rows = Notification.objects.filter(document__in=plans).values_list("kind", "message")
    by_kind: dict[str, list[str]] = {}
    for kind, message in rows:
        by_kind.setdefault(kind, []).append(message)
    return by_kind


def test_a_confidential_document_is_never_named_in_a_notification_or_an_email(
    users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = live_whole_life(users, make_plan(users, MAT))
        other = rejected_plan(users, MAT)
    by_kind = messages_of(plan, other)
    assert set(by_kind) == KINDS
    # Handed over: the one notification that names a unit says it, and that it is secret.
    assert any("Bạn có văn bản mật cần xử lý" in m for m in by_kind[Notification.Kind.ASSIGNED])
    assert len(mail.outbox) >= len(KINDS)
    mailed = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    for text in [m for messages in by_kind.values() for m in messages] + mailed:
        assert "mật" in text, text
        for secret in (*SECRETS, plan.notation):
            assert secret not in text, (secret, text)
    # Each e-mail still links to the page (or the task), where the visibility rule applies.
    assert all("/documents/" in m.body for m in mail.outbox)


def test_a_normal_document_is_still_named_in_its_notifications_and_emails(
    users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = live_whole_life(users, make_plan(users, ""))
        other = rejected_plan(users, "")
    by_kind = messages_of(plan, other)
    assert set(by_kind) == KINDS
    reminder_kinds = {Notification.Kind.TASK_REMINDER, Notification.Kind.TASK_OVERDUE}
    for kind, messages in by_kind.items():
        for message in messages:
            if kind in reminder_kinds:  # the plan's number and the task, as before
                assert TASK in message and plan.notation in message, message
            else:
                assert SUBJECT in message, message
    assert any(COMMENT in m for m in by_kind[Notification.Kind.RETURNED])
    assert any(REASON in m for m in by_kind[Notification.Kind.REJECTED])
    assert any(SUBJECT in m.subject for m in mail.outbox)
    assert any(TASK in m.subject for m in mail.outbox)


def test_safe_title(users):
    normal = make_plan(users, "")
    assert confidential.safe_title(normal) == f"Kế hoạch — {SUBJECT}"
    for level in (MAT, Document.Confidentiality.TOI_MAT, Document.Confidentiality.TUYET_MAT):
        normal.confidentiality = level
        assert confidential.is_confidential(normal)
        assert confidential.safe_title(normal) == "văn bản mật"


# --- reads ----------------------------------------------------------------------------


def issued_plan(users, confidentiality: str) -> Document:
    plan = make_plan(users, confidentiality)
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(document=plan, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=plan, actor=users["vanthu"], issued_on=ISSUE_DATE)
    plan.refresh_from_db()
    return plan


DOORS = {
    "page": lambda plan: f"/documents/van-ban/{plan.pk}/",
    "pdf": lambda plan: f"/documents/van-ban/{plan.pk}/pdf/",
    "docx": lambda plan: f"/documents/van-ban/{plan.pk}/docx/",
    "attachment": lambda plan: f"/documents/tep-dinh-kem/{plan.attachments.get().pk}/",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reads(plan: Document) -> list[tuple[int | None, dict]]:
    return list(
        Event.objects.filter(document=plan, kind=Event.Kind.READ)
        .order_by("seq")
        .values_list("actor_id", "data")
    )


@pytest.mark.parametrize("door", DOORS)
def test_each_read_of_a_confidential_document_is_on_its_trail(users, door):
    plan = issued_plan(users, MAT)
    assert reads(plan) == []
    response = client_for(users["congan"]).get(DOORS[door](plan))
    assert response.status_code == 200
    expected = {"what": door}
    if door == "attachment":
        expected["attachment"] = plan.attachments.get().pk
    assert reads(plan) == [(users["congan"].pk, expected)]
    event = Event.objects.get(document=plan, kind=Event.Kind.READ)
    assert event.role.endswith("Công an tỉnh")  # the reader's position and unit
    assert event.get_kind_display() == "Xem văn bản mật"
    # A second read is a second event.
    assert client_for(users["chuyenvien"]).get(DOORS[door](plan)).status_code == 200
    assert [actor for actor, _data in reads(plan)] == [users["congan"].pk, users["chuyenvien"].pk]


def test_the_preview_of_a_confidential_draft_is_a_read_too(users):
    plan = make_plan(users, MAT)
    assert client_for(users["chuyenvien"]).get(DOORS["pdf"](plan)).status_code == 200
    assert reads(plan) == [(users["chuyenvien"].pk, {"what": "pdf"})]


@pytest.mark.parametrize("door", DOORS)
def test_reads_of_a_normal_document_are_not_recorded(users, door):
    plan = issued_plan(users, "")
    events = plan.events.count()
    assert client_for(users["congan"]).get(DOORS[door](plan)).status_code == 200
    assert plan.events.count() == events
    assert reads(plan) == []


@pytest.mark.parametrize("door", DOORS)
def test_who_may_not_see_a_confidential_document_reads_nothing_and_leaves_no_event(users, door):
    plan = issued_plan(users, MAT)
    events = plan.events.count()
    # The Giám đốc neither signed it nor belongs to a recipient unit: a confidential
    # document is not given to the agency's leaders; Ban ATGT is no recipient.
    for username in ("giamdoc", "bantatgt"):
        response = client_for(users[username]).get(DOORS[door](plan))
        assert response.status_code == 404, (username, door)
    assert plan.events.count() == events
    assert reads(plan) == []


def test_the_pages_that_show_a_confidential_documents_content_are_reads_too(users):
    """The edit form (drafter), the sign-off page (signer) and a receipt's page (recipient)
    show the content as the document's own page does."""
    draft = make_plan(users, MAT)
    assert (
        client_for(users["chuyenvien"]).get(f"/documents/van-ban/{draft.pk}/sua/").status_code
        == 200
    )
    assert reads(draft) == [(users["chuyenvien"].pk, {"what": "page", "page": "edit"})]

    services.document_submit(document=draft, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    url = f"/documents/van-ban/{draft.pk}/ky-duyet/"
    assert client_for(users["phogiamdoc"]).get(url).status_code == 200
    assert reads(draft)[-1] == (
        users["phogiamdoc"].pk,
        {"what": "page", "page": "document_sign_off"},
    )

    plan = issued_plan(users, MAT)
    receipt = plan.receipts.get(unit__abbreviation="CA")
    assert (
        client_for(users["congan"]).get(f"/documents/phieu-nhan/{receipt.pk}/").status_code == 200
    )
    assert reads(plan) == [(users["congan"].pk, {"what": "page", "page": "receipt"})]
    # Who may not see the receipt reads nothing.
    assert (
        client_for(users["bantatgt"]).get(f"/documents/phieu-nhan/{receipt.pk}/").status_code == 404
    )
    assert len(reads(plan)) == 1


def test_the_follow_up_pages_of_a_confidential_plan(users):
    """The assignment's page is a read of the plan; the dashboard and its XLSX never carry
    its subject."""
    plan = issued_plan(users, MAT)
    assignment = plan.assignments.get()
    client = client_for(users["chanhvanphong"])
    assert client.get(f"/documents/theo-doi/nhiem-vu/{assignment.pk}/").status_code == 200
    assert reads(plan) == [(users["chanhvanphong"].pk, {"what": "page", "page": "assignment"})]
    dashboard = client.get("/documents/theo-doi/")
    assert dashboard.status_code == 200 and plan.notation in dashboard.content.decode()
    assert SUBJECT not in dashboard.content.decode()
    xlsx = client.get("/documents/theo-doi/excel/")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    cells = [
        str(cell.value)
        for sheet in load_workbook(io.BytesIO(xlsx.content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert plan.notation in cells and not any(SUBJECT in cell for cell in cells)
