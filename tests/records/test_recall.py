"""Recall of an issued document (Điều 19; Phụ lục VI 8a–c): frozen, its workflow ended,
every recipient told and confirming; refusals change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals import selectors
from approvals import services as workflow
from approvals.models import DocumentProcess, Notification
from documents.models import Document, Event, Receipt
from documents.records import recall
from tests.conftest import snapshot


def member_of(receipt: Receipt):
    """Someone of the recipient unit: its receiver, or any member."""
    if receipt.assignee is not None:
        return receipt.assignee
    return get_user_model().objects.filter(groups=receipt.unit.group, is_active=True).first()


def open_tasks(document: Document):
    return Task.objects.filter(
        process__documentprocess__document=document,
        status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED),
    )


def recall_it(issued, users, reason="Sai thẩm quyền ban hành"):
    return workflow.document_recall(document=issued, actor=users.phogiamdoc, reason=reason)


@pytest.mark.django_db
def test_recall_freezes_the_document_and_ends_its_workflow(issued, users):
    receipts = list(issued.receipts.select_related("unit", "assignee"))
    assert len(receipts) >= 2 and open_tasks(issued).exists()
    first = receipts[0]
    workflow.receipt_acknowledge(receipt=first, actor=member_of(first))

    document = recall_it(issued, users)

    document.refresh_from_db()
    assert document.status == Document.Status.RECALLED
    assert document.recalled_by == users.phogiamdoc
    assert document.recall_reason == "Sai thẩm quyền ban hành"
    assert document.recalled_at is not None
    event = document.events.get(kind=Event.Kind.RECALLED)
    assert event.comment == "Sai thẩm quyền ban hành" and event.actor == users.phogiamdoc
    assert "on_instruction_of" not in (event.data or {})
    # The workflow ended cleanly: no open task, the process canceled.
    assert not open_tasks(issued).exists()
    process = DocumentProcess.objects.get(document=issued)
    assert process.status == PROCESS.CANCELED
    # Pending receipts are frozen: acknowledging changes nothing.
    pending = [r for r in receipts[1:]]
    for receipt in pending:
        who = member_of(receipt)
        assert not selectors.task_inbox(who).filter(process=process).exists()
        assert not selectors.receipts_waiting_for(who).filter(document=issued).exists()
        before = snapshot(issued)
        with pytest.raises(PermissionDenied):
            workflow.receipt_acknowledge(receipt=receipt, actor=who)
        with pytest.raises(PermissionDenied):
            recall_module_acknowledge(receipt, who)
        assert snapshot(issued) == before
    # Every recipient unit is told, with the reason.
    notes = Notification.objects.filter(document=issued, message__contains="thu hồi")
    assert {n.unit_id for n in notes if n.unit_id} == {r.unit_id for r in receipts}
    assert all("Sai thẩm quyền" in n.message for n in notes)


def recall_module_acknowledge(receipt, who):
    from documents import services as documents

    return documents.receipt_acknowledge(receipt=receipt, actor=who)


@pytest.mark.django_db
def test_a_clerk_recalls_on_the_signers_instruction(issued, users):
    workflow.document_recall(document=issued, actor=users.vanthu, reason="Theo chỉ đạo")
    event = issued.events.get(kind=Event.Kind.RECALLED)
    assert event.actor == users.vanthu
    assert event.data["on_instruction_of"] == issued.signer_name


@pytest.mark.django_db
def test_an_archived_document_is_recalled_too(issued, users):
    for receipt in issued.receipts.select_related("unit", "assignee"):
        workflow.receipt_acknowledge(receipt=receipt, actor=member_of(receipt))
    issued.refresh_from_db()
    assert issued.status == Document.Status.ARCHIVED
    workflow.document_recall(document=issued, actor=users.phogiamdoc, reason="Lỗi nội dung")
    issued.refresh_from_db()
    assert issued.status == Document.Status.RECALLED
    assert DocumentProcess.objects.get(document=issued).status == PROCESS.DONE


@pytest.mark.django_db
def test_refusals_change_nothing(issued, seed_plan, users):
    before = snapshot(issued)
    tasks = list(open_tasks(issued).values_list("pk", "status"))
    for actor in (users.chuyenvien, users.giamdoc, users.congan, users.quantri):
        with pytest.raises(PermissionDenied):
            workflow.document_recall(document=issued, actor=actor, reason="x")
    with pytest.raises(ValidationError):
        workflow.document_recall(document=issued, actor=users.phogiamdoc, reason="  ")
    assert snapshot(issued) == before
    assert list(open_tasks(issued).values_list("pk", "status")) == tasks
    recall_it(issued, users)
    twice = snapshot(issued)
    with pytest.raises(PermissionDenied):
        recall_it(issued, users)
    assert snapshot(issued) == twice


@pytest.mark.django_db
def test_a_draft_is_not_recalled(seed_plan, users):
    before = snapshot(seed_plan)
    with pytest.raises(PermissionDenied):
        workflow.document_recall(document=seed_plan, actor=users.chuyenvien, reason="x")
    with pytest.raises(PermissionDenied):
        workflow.document_recall(document=seed_plan, actor=users.vanthu, reason="x")
    assert snapshot(seed_plan) == before


@pytest.mark.django_db
def test_a_submitted_document_is_not_recalled(submitted, users):
    before = snapshot(submitted)
    with pytest.raises(PermissionDenied):
        workflow.document_recall(document=submitted, actor=users.phogiamdoc, reason="x")
    assert snapshot(submitted) == before
    assert open_tasks(submitted).filter(flow_task_type="HUMAN").exists()


@pytest.mark.django_db
def test_recipients_confirm_the_recall(issued, users):
    recall_it(issued, users)
    receipt = issued.receipts.select_related("unit", "assignee").first()
    who = member_of(receipt)
    recall.receipt_confirm_recall(receipt=receipt, actor=who)
    receipt.refresh_from_db()
    assert receipt.recall_confirmed_by == who and receipt.recall_confirmed_at is not None
    assert issued.events.filter(kind=Event.Kind.RECALL_CONFIRMED).count() == 1
    before = snapshot(issued)
    with pytest.raises(PermissionDenied):  # once
        recall.receipt_confirm_recall(receipt=receipt, actor=who)
    assert snapshot(issued) == before


@pytest.mark.django_db
def test_confirming_needs_a_recalled_document_and_a_member(issued, users):
    receipt = issued.receipts.select_related("unit", "assignee").first()
    with pytest.raises(PermissionDenied):
        recall.receipt_confirm_recall(receipt=receipt, actor=member_of(receipt))
    recall_it(issued, users)
    outsider = users.congan if receipt.unit.abbreviation != "CA" else users.chuyenvien
    before = snapshot(issued)
    with pytest.raises(PermissionDenied):
        recall.receipt_confirm_recall(receipt=receipt, actor=outsider)
    assert snapshot(issued) == before


@pytest.mark.django_db
def test_a_confidential_recall_notice_names_nothing(issued, users):
    Document.objects.filter(pk=issued.pk).update(confidentiality=Document.Confidentiality.MAT)
    issued.refresh_from_db()
    workflow.document_recall(document=issued, actor=users.vanthu, reason="Bí mật lý do")
    notes = Notification.objects.filter(document=issued, message__contains="thu hồi")
    assert notes.exists()
    for note in notes:
        assert issued.subject not in note.message and "Bí mật lý do" not in note.message
        assert issued.notation not in note.message


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks")
def test_recall_freezes_the_document_on_postgresql(issued, users):
    test_recall_freezes_the_document_and_ends_its_workflow(issued, users)
