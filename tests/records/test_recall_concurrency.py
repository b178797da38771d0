"""A recall while the recipients acknowledge, on PostgreSQL: the flow lock serialises them;
whatever the order, the document ends recalled and its process leaves no open task."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from viewflow.workflow.status import PROCESS, STATUS

from approvals import services
from approvals.models import DocumentProcess
from documents.models import Document, Event, Receipt
from tests.documents.test_numbering import run_concurrently

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_recall_racing_the_acknowledgements_leaves_no_open_task(issued_plan):
    plan = Document.objects.select_related("signer").get(pk=issued_plan.pk)
    signer = plan.signer
    assert signer is not None
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
        services.document_recall(document=plan, actor=signer, reason="Sai sót")

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
