"""Simultaneous steps on PostgreSQL: the flow lock serialises them (VIEWFLOW.md, trap 1)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection

from approvals import services
from approvals.flows import DocumentFlow
from approvals.models import DocumentProcess
from documents.models import Document, Event, Receipt
from tests.conftest import ISSUE_DATE, SEED_SUBJECT
from tests.documents.test_numbering import run_concurrently

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def issued_plan(django_user_model):
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    users = {u.username: u for u in django_user_model.objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(document=plan, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=plan, actor=users["vanthu"], issued_on=ISSUE_DATE)
    return plan


def test_every_recipient_acknowledging_at_once_archives_exactly_once(issued_plan):
    receipts = list(issued_plan.receipts.select_related("unit__receiver"))
    assert len(receipts) == 6

    def acknowledge(receipt):
        return lambda: services.receipt_acknowledge(receipt=receipt, actor=receipt.unit.receiver)

    run_concurrently(*[acknowledge(r) for r in receipts])

    issued_plan.refresh_from_db()
    assert issued_plan.status == Document.Status.ARCHIVED
    assert not issued_plan.receipts.exclude(status=Receipt.Status.ACKNOWLEDGED).exists()
    process = DocumentProcess.objects.get(document=issued_plan)
    assert process.status == "DONE"
    assert process.task_set.filter(flow_task=DocumentFlow.join_receipts).count() == 1
    assert process.task_set.filter(flow_task=DocumentFlow.archive).count() == 1
    assert process.task_set.filter(flow_task=DocumentFlow.end).count() == 1
    assert issued_plan.events.filter(kind=Event.Kind.ARCHIVED).count() == 1
    assert issued_plan.events.filter(kind=Event.Kind.ACKNOWLEDGED).count() == 6


def test_a_double_click_on_approve_signs_off_once(django_user_model):
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    users = {u.username: u for u in django_user_model.objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    outcomes = []

    def approve():
        try:
            services.document_decide(document=plan, actor=users["phogiamdoc"], decision="approve")
            outcomes.append("signed")
        except PermissionDenied:
            outcomes.append("refused")

    run_concurrently(approve, approve)
    assert sorted(outcomes) == ["refused", "signed"]
    process = DocumentProcess.objects.get(document=plan)
    assert process.task_set.filter(flow_task=DocumentFlow.issue).count() == 1
    assert plan.events.filter(kind=Event.Kind.SIGNED_OFF).count() == 1
    assert plan.renditions.count() == 1
