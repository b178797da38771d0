"""The seed plan through the whole workflow, through the approvals services."""

import hashlib

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals import services
from approvals.flows import DocumentFlow
from approvals.models import DocumentProcess
from documents import services as documents
from documents import signing
from documents.integrity import content_hash
from documents.models import Document, Event, Receipt, Rendition
from documents.selectors import document_timeline
from tests.conftest import ISSUE_DATE

RETURN_COMMENT = "Bổ sung thời gian thực hiện cho từng nhiệm vụ."


def open_tasks(document, node):
    return Task.objects.filter(
        process__documentprocess__document=document,
        flow_task=node,
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def drive_to_signed(plan, users, *, with_return=True):
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    if with_return:
        services.document_decide(
            document=plan, actor=users.phogiamdoc, decision="return", comment=RETURN_COMMENT
        )
        documents.document_update(
            document=plan,
            actor=users.chuyenvien,
            body=plan.body + "\n\n- Thời gian thực hiện: Trong năm 2020.",
        )
        services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    plan.refresh_from_db()
    return plan


def test_seed_plan_goes_through_the_whole_lifecycle(seed_plan, users):
    plan = seed_plan
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    plan.refresh_from_db()
    assert plan.status == Document.Status.SUBMITTED
    assert plan.signer_authority == "KT. GIÁM ĐỐC"
    assert plan.signer_title == "PHÓ GIÁM ĐỐC"
    (sign_task,) = open_tasks(plan, DocumentFlow.sign_off)
    assert sign_task.owner == users.phogiamdoc

    services.document_decide(
        document=plan, actor=users.phogiamdoc, decision="return", comment=RETURN_COMMENT
    )
    plan.refresh_from_db()
    assert plan.status == Document.Status.RETURNED
    (revise_task,) = open_tasks(plan, DocumentFlow.revise)
    assert revise_task.owner == users.chuyenvien

    documents.document_update(
        document=plan,
        actor=users.chuyenvien,
        body=plan.body + "\n\n- Thời gian thực hiện: Trong năm 2020.",
    )
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    plan.refresh_from_db()
    assert plan.status == Document.Status.SIGNED
    assert plan.content_hash == content_hash(plan)
    assert len(plan.content_hash) == 64

    services.document_issue(document=plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    plan.refresh_from_db()
    assert plan.status == Document.Status.ISSUED
    assert plan.notation == "01/KH-STTTT"
    assert plan.issued_on == ISSUE_DATE
    receipts = {r.unit.abbreviation: r for r in plan.receipts.select_related("unit")}
    assert set(receipts) == {"CA", "VP", "TTBCXB", "BCVTCNTT", "TTCNTT", "VT"}
    ack_tasks = open_tasks(plan, DocumentFlow.acknowledge)
    assert {t.owner.username for t in ack_tasks} == {
        "congan",
        "chanhvanphong",
        "ttbcxb",
        "bcvtcntt",
        "trungtam",
        "vanthu",
    }

    order = ["CA", "VP", "TTBCXB", "BCVTCNTT", "TTCNTT", "VT"]
    for abbr in order:
        receipt = receipts[abbr]
        services.receipt_acknowledge(receipt=receipt, actor=receipt.unit.receiver)
        plan.refresh_from_db()
        expected = Document.Status.ARCHIVED if abbr == order[-1] else Document.Status.ISSUED
        assert plan.status == expected

    assert not plan.receipts.filter(status=Receipt.Status.PENDING).exists()
    process = DocumentProcess.objects.get(document=plan)
    assert process.status == PROCESS.DONE
    assert process.task_set.filter(flow_task=DocumentFlow.join_receipts).count() == 1

    timeline = document_timeline(plan)
    expected = [
        ("created", "chuyenvien", ""),
        ("submitted", "chuyenvien", ""),
        ("returned", "phogiamdoc", RETURN_COMMENT),
        ("edited", "chuyenvien", ""),
        ("submitted", "chuyenvien", ""),
        ("signed_off", "phogiamdoc", ""),
        ("rendered", None, ""),  # the signer's signed original, made by the job
        ("issued", "vanthu", ""),
        ("distributed", "vanthu", ""),
        ("assigned", "vanthu", ""),  # the plan's tasks start (documents.followup)
        ("rendered", None, ""),  # the issued original: number, date, the agency's signature
        *[("acknowledged", receipts[a].unit.receiver.username, "") for a in order],
        ("archived", None, ""),
    ]
    events = list(plan.events.select_related("actor").order_by("created_at", "pk"))
    assert [(e.kind, e.actor.username if e.actor else None, e.comment) for e in events] == expected
    assert len(timeline) == len(expected)
    assert [row.kind for row in timeline] == [kind for kind, _, _ in expected]
    by_kind = {row.kind: row for row in timeline}
    made = [row.details for row in timeline if row.kind == "rendered"]
    assert by_kind["returned"].comment == RETURN_COMMENT
    assert by_kind["returned"].role == "Phó Giám đốc, Ban Giám đốc"
    assert by_kind["signed_off"].details["content_hash"] == plan.content_hash
    assert by_kind["issued"].details["notation"] == "01/KH-STTTT"
    signed_off_pdf = plan.renditions.get(kind=Rendition.Kind.SIGNED_OFF)
    issued_pdf = plan.renditions.get(kind=Rendition.Kind.ISSUED)
    assert made == [
        {"rendition": "signed_off", "pdf_sha256": signed_off_pdf.sha256},
        {"rendition": "issued", "pdf_sha256": issued_pdf.sha256},
    ]
    with issued_pdf.file.open("rb") as handle:
        issued_bytes = handle.read()
    assert hashlib.sha256(issued_bytes).hexdigest() == issued_pdf.sha256
    reports = signing.verify_pdf(issued_bytes, trust_roots=signing.trust_roots())
    assert [(r.signer, r.ok) for r in reports] == [
        ("Trần Thị Bình", True),
        ("Sở Thông tin và Truyền thông", True),
    ]
    assert timeline[4].details["resubmission"] is True
    assert timeline[-1].actor == "Hệ thống"


def test_rejection_ends_the_workflow(seed_plan, users):
    plan = seed_plan
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(
        document=plan,
        actor=users.phogiamdoc,
        decision="reject",
        comment="Nội dung trùng với kế hoạch của Văn phòng.",
    )
    plan.refresh_from_db()
    assert plan.status == Document.Status.REJECTED
    process = DocumentProcess.objects.get(document=plan)
    assert process.status == PROCESS.DONE
    assert process.task_set.filter(flow_task=DocumentFlow.rejected).exists()
    assert not process.task_set.filter(flow_task=DocumentFlow.issue).exists()
    assert plan.events.last().kind == Event.Kind.REJECTED
    assert plan.events.last().comment == "Nội dung trùng với kế hoạch của Văn phòng."
    with pytest.raises(Exception):  # noqa: B017 - no open task remains: PermissionDenied
        services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    plan.refresh_from_db()
    assert plan.status == Document.Status.REJECTED


def test_second_issuance_of_the_year_gets_the_next_number(seed_plan, users):
    plan = drive_to_signed(seed_plan, users, with_return=False)
    services.document_issue(document=plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    report = documents.document_create(
        actor=users.chuyenvien,
        organization=plan.organization,
        document_type=plan.document_type,
        subject="Kế hoạch thứ hai",
        recipients=[
            documents.RecipientSpec("Lưu: VT", [plan.receipts.get(unit__abbreviation="VT").unit])
        ],
    )
    report = drive_to_signed(report, users, with_return=False)
    services.document_issue(document=report, actor=users.vanthu, issued_on=ISSUE_DATE)
    report.refresh_from_db()
    assert report.notation == "02/KH-STTTT"
