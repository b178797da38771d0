"""A recall while the recipients acknowledge, on PostgreSQL: the flow lock serialises them;
whatever the order, the document ends recalled and its process leaves no open task."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from viewflow.workflow.status import PROCESS, STATUS

from approvals import services
from approvals.models import DocumentProcess
from documents.models import Document, Event, Receipt
from tests.conftest import ISSUE_DATE, SEED_SUBJECT
from tests.documents.test_numbering import run_concurrently

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_recall_racing_the_acknowledgements_leaves_no_open_task(django_user_model):
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    users = {u.username: u for u in django_user_model.objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(document=plan, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=plan, actor=users["vanthu"], issued_on=ISSUE_DATE)
    receipts = list(plan.receipts.select_related("unit__receiver"))
    outcomes: list[str] = []

    def acknowledge(receipt):
        def run():
            try:
                services.receipt_acknowledge(receipt=receipt, actor=receipt.unit.receiver)
                outcomes.append("acknowledged")
            except PermissionDenied:
                outcomes.append("refused")

        return run

    def recall():
        services.document_recall(document=plan, actor=users["phogiamdoc"], reason="Sai sót")

    run_concurrently(recall, *[acknowledge(r) for r in receipts])

    plan.refresh_from_db()
    assert plan.status == Document.Status.RECALLED
    assert plan.events.filter(kind=Event.Kind.RECALLED).count() == 1
    acknowledged = plan.receipts.filter(status=Receipt.Status.ACKNOWLEDGED).count()
    assert acknowledged == outcomes.count("acknowledged")
    assert plan.events.filter(kind=Event.Kind.ACKNOWLEDGED).count() == acknowledged
    process = DocumentProcess.objects.get(document=plan)
    assert process.status in (PROCESS.CANCELED, PROCESS.DONE)
    assert not process.task_set.filter(
        status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
    ).exists()
