"""One timeline per document: the audit events merged with viewflow's task records (who was
given which task, and when), in time order."""

from __future__ import annotations

from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from documents.audit import role_of
from documents.models import Document
from documents.people import display_name
from documents.selectors import TimelineEntry, document_timeline

from .flows import DocumentFlow

HUMAN_NODES = (
    DocumentFlow.sign_off,
    DocumentFlow.revise,
    DocumentFlow.issue,
    DocumentFlow.acknowledge,
)


def task_entries(document: Document) -> list[TimelineEntry]:
    """A row for every human task of the document's workflow: given to whom, when."""
    tasks = (
        Task.objects.filter(process__documentprocess__document=document, flow_task__in=HUMAN_NODES)
        .select_related("owner__profile__position", "owner__profile__unit")
        .order_by("created", "pk")
    )
    entries = []
    for task in tasks:
        owner = display_name(task.owner) if task.owner else _("(chưa có người nhận)")
        entries.append(
            TimelineEntry(
                at=task.created,
                actor=owner,
                role=role_of(task.owner) if task.owner else "",
                action=_("Được giao việc: %(task)s") % {"task": task.flow_task.task_title},
                kind="task_assigned",
                comment="",
                details={"task": task.pk, "status": task.status, "finished": task.finished},
            )
        )
    return entries


def document_full_timeline(document: Document) -> list[TimelineEntry]:
    """Events and task assignments of the document, oldest first."""
    rows = document_timeline(document) + task_entries(document)
    return sorted(rows, key=lambda row: row.at)
