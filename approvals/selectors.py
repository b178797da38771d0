"""What waits for a person, and which workflow rows they may see.

Processes and tasks are visible exactly when their document is (documents.selectors), so the
viewflow screens never show a process to someone who may not open its document. Queues use
the model-level permission named on the task, never guardian's per-object scan (VIEWFLOW.md,
trap 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import OuterRef, Q, QuerySet, Subquery
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from documents import permissions
from documents.models import Document, Event, Receipt
from documents.selectors import document_list_visible_to, receipt_list_for_user

from .flows import DocumentFlow
from .models import Notification

TASK_RELATED = ("process", "process__documentprocess__document__document_type", "owner")


def _documents_key(user: User) -> QuerySet:
    return document_list_visible_to(user).values("pk")


def process_list_visible_to(user: User) -> QuerySet[Process]:
    """Processes of the documents the person may see."""
    processes = Process.objects.filter(flow_class=DocumentFlow).select_related(
        "documentprocess__document"
    )
    return processes.filter(documentprocess__document__in=_documents_key(user))


def process_is_visible(user: User, process: Process) -> bool:
    """A process is visible when its document is."""
    return process_list_visible_to(user).filter(pk=process.pk).exists()


def task_list_visible_to(user: User) -> QuerySet[Task]:
    """Tasks of the processes the person may see."""
    tasks = Task.objects.filter(process__flow_class=DocumentFlow).select_related(*TASK_RELATED)
    return tasks.filter(process__documentprocess__document__in=_documents_key(user))


def task_inbox(user: User) -> QuerySet[Task]:
    """Tasks assigned to the person and not yet done."""
    return (
        Task.objects.filter(
            process__flow_class=DocumentFlow,
            owner=user,
            status__in=(STATUS.ASSIGNED, STATUS.STARTED),
        )
        .select_related(*TASK_RELATED)
        .order_by("-created")
    )


def task_queue(user: User) -> QuerySet[Task]:
    """Unassigned tasks the person's role may take (the văn thư's issue tasks)."""
    tasks = Task.objects.filter(
        process__flow_class=DocumentFlow,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        owner__isnull=True,
    ).select_related(*TASK_RELATED)
    if not permissions.acts_in_workflow(user):
        return tasks.none()
    allowed = Q(owner_permission__in=user.get_all_permissions())
    return tasks.filter(allowed).order_by("-created")


def task_archive(user: User) -> QuerySet[Task]:
    """Tasks the person completed."""
    return (
        Task.objects.filter(
            process__flow_class=DocumentFlow,
            flow_task_type="HUMAN",
            owner=user,
            finished__isnull=False,
        )
        .select_related(*TASK_RELATED)
        .order_by("-finished")
    )


@dataclass
class WorkSummary:
    """Everything waiting for one person, on one screen."""

    drafts: list[Document] = field(default_factory=list)
    returned: list[Document] = field(default_factory=list)
    to_sign: list[Task] = field(default_factory=list)
    to_issue: list[Document] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many things wait for the person: the number beside "Việc của tôi"."""
        return (
            len(self.drafts)
            + len(self.returned)
            + len(self.to_sign)
            + len(self.to_issue)
            + len(self.receipts)
            + len(self.tasks)
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.drafts
            or self.returned
            or self.to_sign
            or self.to_issue
            or self.receipts
            or self.tasks
        )


def receipts_waiting_for(user: User) -> QuerySet[Receipt]:
    """Pending receipts of the person's units that wait for them: given to them, given to no
    one in particular, or of a unit they head (to acknowledge or hand over)."""
    theirs = Q(assignee=user) | Q(assignee__isnull=True) | Q(unit__head=user)
    if permissions.is_clerk(user):
        theirs |= Q(unit__is_records_office=True)
    return receipt_list_for_user(user).filter(theirs, status=Receipt.Status.PENDING)


def work_summary(user: User) -> WorkSummary:
    """The drafter's drafts and returned documents, the signer's documents awaiting sign-off,
    the văn thư's documents to issue, the unit's receipts to acknowledge, other open tasks."""
    summary = WorkSummary()
    mine = document_list_visible_to(user).filter(drafter=user, origin=Document.Origin.OUTGOING)
    summary.drafts = list(mine.filter(status=Document.Status.DRAFT))
    summary.returned = list(
        mine.filter(status=Document.Status.RETURNED).annotate(
            # What the signer asked for, shown beside the document.
            return_comment=Subquery(
                Event.objects.filter(document=OuterRef("pk"), kind=Event.Kind.RETURNED)
                .order_by("-pk")
                .values("comment")[:1]
            )
        )
    )
    inbox = list(task_inbox(user))
    summary.to_sign = [t for t in inbox if t.flow_task == DocumentFlow.sign_off]
    if permissions.is_clerk(user):
        summary.to_issue = list(
            document_list_visible_to(user).filter(status=Document.Status.SIGNED)
        )
    summary.receipts = list(receipts_waiting_for(user).order_by("-sent_at"))
    shown = {DocumentFlow.sign_off, DocumentFlow.revise, DocumentFlow.acknowledge}
    summary.tasks = [t for t in inbox if t.flow_task not in shown]
    return summary


def work_summary_for_request(request) -> WorkSummary:
    """The person's work summary, computed once per request: the home page lists it and the
    menu counts it on the same response."""
    summary = getattr(request, "_vanthu_work_summary", None)
    if summary is None:
        summary = request._vanthu_work_summary = work_summary(request.user)
    return summary


def notification_list_for(user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(recipient=user).select_related("document")


def notification_unread_count(user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
