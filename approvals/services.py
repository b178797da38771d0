"""Workflow services: the one door to every workflow step.

Each public service finds the open task, takes the flow lock as the outermost transaction
(``task.activation()``), re-reads the task under it, checks the node, the owner and the domain
right, and changes the document through documents' services and the task through viewflow's
activation, in one transaction. The flow's nodes have no URLs of their own (GuardedView): our
pages, commands and jobs all call these functions, so the rules hold whatever the door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.activation import Activation
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from documents import permissions, transactions
from documents import services as documents
from documents.models import Document, Receipt

from . import notifications
from .flows import DocumentFlow
from .models import DocumentProcess

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


def open_task(*, document: Document, node, **filters) -> Task:
    """The open task of this node for the document; refuses if there is none."""
    task = (
        Task.objects.filter(
            process__documentprocess__document=document,
            flow_task=node,
            status__in=OPEN,
            **filters,
        )
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise PermissionDenied(_("Văn bản không có việc đang chờ ở bước này."))
    return task


def _ensure_node(activation: Activation, node) -> None:
    if activation.task.flow_task != node:
        raise PermissionDenied(_("Việc này không thuộc bước đang thực hiện."))


def _ensure_owner(activation: Activation, actor: User) -> None:
    if activation.task.owner_id != actor.pk:
        raise PermissionDenied(_("Việc này được giao cho người khác."))


@contextmanager
def _locked_activation(task: Task) -> Iterator[Activation]:
    """The task's activation under the flow lock, re-read: a task completed meanwhile (a
    double click, a colleague of the same unit) is refused instead of run twice."""
    with task.activation() as activation, transactions.step():
        if activation.task.status not in OPEN:
            raise PermissionDenied(_("Việc này đã được xử lý."))
        yield activation


def process_document(process: DocumentProcess) -> Document:
    """The process's document, to hand to a documents' service, which locks and re-reads it
    by its key: reading it here first would be one more query per step."""
    return Document(pk=process.document_id)


def _started(activation: Activation) -> Activation:
    activation.start(None)
    return activation


# --- submit / resubmit ---------------------------------------------------------


def document_submit(*, document: Document, actor: User, signer: User) -> Document:
    """Submit a draft for sign-off; a returned document is resubmitted in the same process."""
    if not document.processes.exists():  # a returned draft has its process (the instance
        # given may be stale: its status is not the test)
        with transaction.atomic(), transactions.step():
            document = documents.document_submit(document=document, actor=actor, signer=signer)
            DocumentFlow.start.run(document=document)
            notifications.submitted(document, actor)
        return document
    task = open_task(document=document, node=DocumentFlow.revise)
    with _locked_activation(task) as activation:
        return _complete_revise(activation=_started(activation), actor=actor, signer=signer)


def _complete_revise(*, activation: Activation, actor: User, signer: User) -> Document:
    _ensure_node(activation, DocumentFlow.revise)
    _ensure_owner(activation, actor)
    document = documents.document_submit(
        document=process_document(activation.process), actor=actor, signer=signer
    )
    activation.execute()
    notifications.submitted(document, actor)
    return document


# --- sign-off -------------------------------------------------------------------


def document_decide(
    *, document: Document, actor: User, decision: str, comment: str = ""
) -> Document:
    """The assigned signer approves, returns (with a comment) or rejects (with a reason)."""
    task = open_task(document=document, node=DocumentFlow.sign_off)
    with _locked_activation(task) as activation:
        return _complete_sign_off(
            activation=_started(activation),
            actor=actor,
            decision=decision,
            comment=comment,
        )


def _complete_sign_off(
    *, activation: Activation, actor: User, decision: str, comment: str = ""
) -> Document:
    _ensure_node(activation, DocumentFlow.sign_off)
    _ensure_owner(activation, actor)
    process: DocumentProcess = activation.process
    document = process_document(process)
    if decision == DocumentProcess.Decision.APPROVE:
        document = documents.document_sign_off(document=document, actor=actor, comment=comment)
    elif decision == DocumentProcess.Decision.RETURN:
        document = documents.document_return(document=document, actor=actor, comment=comment)
    elif decision == DocumentProcess.Decision.REJECT:
        document = documents.document_reject(document=document, actor=actor, reason=comment)
    else:
        raise ValidationError({"decision": _("Quyết định không hợp lệ.")})
    process.decision = decision
    process.save(update_fields=["decision"])
    activation.execute()
    if decision == DocumentProcess.Decision.APPROVE:
        notifications.signed_off(document, actor)
    elif decision == DocumentProcess.Decision.RETURN:
        notifications.returned(document, actor, comment.strip())
    else:
        notifications.rejected(document, actor, comment.strip())
    return document


# --- issue ------------------------------------------------------------------------


def document_issue(
    *, document: Document, actor: User, issued_on: dt.date | None = None
) -> Document:
    """A văn thư takes the issue task, numbers and dates the document and distributes it."""
    task = open_task(document=document, node=DocumentFlow.issue)
    with _locked_activation(task) as activation:
        if activation.task.status == STATUS.NEW:
            # Taken by the văn thư who issues (documents.document_issue checks the status).
            permissions.ensure_can_issue_any(actor)
            activation.assign(actor)
        return _complete_issue(activation=_started(activation), actor=actor, issued_on=issued_on)


def _complete_issue(
    *, activation: Activation, actor: User, issued_on: dt.date | None = None
) -> Document:
    _ensure_node(activation, DocumentFlow.issue)
    _ensure_owner(activation, actor)
    document = documents.document_issue(
        document=process_document(activation.process), actor=actor, issued_on=issued_on
    )
    activation.execute()
    notifications.issued(document, actor)
    old_pk = document.corrects_id or document.replaces_id
    if old_pk:  # a correction or replacement: the old document's recipients are told
        notifications.superseded(Document.objects.get(pk=old_pk), document)
    return document


# --- acknowledge ------------------------------------------------------------------


def _receipt_task(receipt: Receipt) -> Task:
    return open_task(
        document=receipt.document, node=DocumentFlow.acknowledge, data__receipt=receipt.pk
    )


def receipt_acknowledge(*, receipt: Receipt, actor: User) -> Receipt:
    """The person the receipt was given to confirms that their unit received the document;
    the last acknowledgement archives it."""
    task = _receipt_task(receipt)
    with _locked_activation(task) as activation:
        return _complete_acknowledge(activation=activation, actor=actor, receipt=receipt)


def _complete_acknowledge(*, activation: Activation, actor: User, receipt: Receipt) -> Receipt:
    _ensure_node(activation, DocumentFlow.acknowledge)
    if activation.task.data.get("receipt") != receipt.pk:
        raise PermissionDenied(_("Phiếu nhận không khớp với việc đang xử lý."))
    receipt = documents.receipt_acknowledge(receipt=receipt, actor=actor)
    # A receipt given to no one in particular: the member who acknowledges takes the task.
    if activation.task.status == STATUS.NEW:
        activation.assign(actor)
    _ensure_owner(activation, actor)
    activation.start(None)
    activation.execute()  # the last one joins and archives (DocumentFlow.archive_document)
    return receipt


def receipt_hand_over(*, receipt: Receipt, actor: User, to: User) -> Receipt:
    """The head of the recipient unit (the văn thư, for the records office) gives the receipt
    to a member of the unit; the task follows it. Recorded in the trail."""
    task = _receipt_task(receipt)
    with _locked_activation(task) as activation:
        _ensure_node(activation, DocumentFlow.acknowledge)
        receipt = documents.receipt_hand_over(receipt=receipt, actor=actor, to=to)
        if activation.task.status == STATUS.NEW:
            activation.assign(to)
        else:
            activation.reassign(to)
        notifications.handed_over(receipt, actor)
        return receipt


# --- recall (Điều 19) -------------------------------------------------------------


def document_recall(*, document: Document, actor: User, reason: str) -> Document:
    """The signer, or a văn thư on the signer's instruction, recalls an issued document: the
    document is frozen and its open acknowledgements end with the process (canceled), under
    the flow lock; every recipient unit is told."""
    from documents.records import recall

    process = (
        DocumentProcess.objects.filter(document_id=document.pk, status=PROCESS.NEW)
        .order_by("-pk")
        .first()
    )
    if process is None:  # archived (its process is done), or never through the flow
        with transaction.atomic(), transactions.step():
            document = recall.recall(document=document, actor=actor, reason=reason)
            notifications.recalled(document, actor)
        return document
    with DocumentFlow.lock(process.pk), transaction.atomic(), transactions.step():
        document = recall.recall(document=document, actor=actor, reason=reason)
        _end_process(process)
        notifications.recalled(document, actor)
    return document


def _end_process(process: DocumentProcess) -> None:
    """Cancel the process's open tasks (the acknowledgements, a started join) and the process
    itself, through viewflow's own cancel (the lock is already held: it nests)."""
    process.refresh_from_db()
    if process.status == PROCESS.NEW:
        DocumentFlow.instance.cancel(process)
