"""What waits for a person, and which workflow rows they may see.

Processes and tasks are visible exactly when their document is (documents.selectors), so the
viewflow screens never show a process to someone who may not open its document. Queues use
the model-level permission named on the task, never guardian's per-object scan (VIEWFLOW.md,
trap 5).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from documents import access, permissions
from documents.followup import selectors as followup_selectors
from documents.models import Assignment, Document, Event, Receipt
from documents.selectors import (
    document_list_visible_to,
    receipt_list_for_user,
)

from .flows import DocumentFlow
from .models import Notification, NotificationReadMark

TASK_RELATED = ("process", "process__documentprocess__document__document_type", "owner")


def _visible(user: User, document_path: str) -> Q | Exists:
    """The rule as a correlated EXISTS on the access table, for lists ordered by their own
    date: the database walks the list's date index newest first and probes the access
    table's unique (document, audience) index for each row until the page is full, instead of
    collecting every visible row and sorting them (a văn thư sees every task of the agency)."""
    rows = access.visible_access(user)
    if rows is None:
        return Q(pk__in=[])
    return Exists(rows.filter(document_id=OuterRef(document_path)))


def process_list_visible_to(user: User) -> QuerySet:
    """Processes (DocumentProcess rows) of the documents the person may see, each with its
    document and type joined: a list of them costs one query whatever its length."""
    processes = DocumentFlow.process_class.objects.filter(flow_class=DocumentFlow)
    return processes.filter(_visible(user, "document_id")).select_related(
        "document__document_type"
    )


def process_is_visible(user: User, process: Process) -> bool:
    """A process is visible when its document is."""
    return process_list_visible_to(user).filter(pk=process.pk).exists()


def task_list_visible_to(user: User) -> QuerySet[Task]:
    """Tasks of the processes the person may see."""
    # No filter on the flow class: a task with a document process is a DocumentFlow task,
    # and that join made SQLite read the processes first and sort every visible task.
    tasks = Task.objects.select_related(*TASK_RELATED)
    return tasks.filter(_visible(user, "process__documentprocess__document_id"))


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


WORK_PREVIEW = 5  # items of each section on the home page; "Xem tất cả" lists the rest


class WorkSection(StrEnum):
    """The sections of "Việc của tôi", each with its own paginated list (its slug)."""

    TO_SIGN = "cho-ky-duyet"
    RETURNED = "bi-tra-lai"
    DRAFTS = "du-thao"
    TO_ISSUE = "cho-ban-hanh"
    RECEIPTS = "cho-xac-nhan"
    ASSIGNMENTS = "nhiem-vu"
    TO_REVIEW = "bao-cao-cho-xem-xet"
    TASKS = "viec-khac"


# The flow's tasks the home page shows in a section of their own (or through the receipt
# and the returned document they are about); every other open task of the person is "other".
SHOWN_TASKS = (DocumentFlow.sign_off, DocumentFlow.revise, DocumentFlow.acknowledge)


def _mine(user: User) -> QuerySet[Document]:
    return document_list_visible_to(user).filter(drafter=user, origin=Document.Origin.OUTGOING)


def receipts_waiting_for(user: User) -> QuerySet[Receipt]:
    """Pending receipts of the person's units that wait for them: given to them, given to no
    one in particular, or of a unit they head (to acknowledge or hand over)."""
    theirs = Q(assignee=user) | Q(assignee__isnull=True) | Q(unit__head=user)
    if permissions.is_clerk(user):
        theirs |= Q(unit__is_records_office=True)
    # A recalled document's receipts wait for no acknowledgement (Điều 19).
    return (
        receipt_list_for_user(user)
        .filter(theirs, status=Receipt.Status.PENDING)
        .exclude(document__status=Document.Status.RECALLED)
    )


def work_list(user: User, section: WorkSection) -> QuerySet:
    """One section of what waits for the person, newest first: documents awaiting their
    sign-off (tasks), their returned documents (with the signer's comment) and drafts, the
    văn thư's signed documents to issue, receipts waiting for them, other open tasks."""
    if section == WorkSection.TO_SIGN:
        return task_inbox(user).filter(flow_task=DocumentFlow.sign_off)
    if section == WorkSection.TASKS:
        return task_inbox(user).exclude(flow_task__in=SHOWN_TASKS)
    if section == WorkSection.RECEIPTS:
        return receipts_waiting_for(user).order_by("-sent_at", "-pk")
    if section == WorkSection.ASSIGNMENTS:
        return followup_selectors.with_state(followup_selectors.open_for(user))
    if section == WorkSection.TO_REVIEW:
        return followup_selectors.to_review_for(user)
    if section == WorkSection.DRAFTS:
        documents = _mine(user).filter(status=Document.Status.DRAFT)
    elif section == WorkSection.RETURNED:
        documents = (
            _mine(user)
            .filter(status=Document.Status.RETURNED)
            .annotate(
                # What the signer asked for, shown beside the document.
                return_comment=Subquery(
                    Event.objects.filter(document=OuterRef("pk"), kind=Event.Kind.RETURNED)
                    .order_by("-pk")
                    .values("comment")[:1]
                )
            )
        )
    elif permissions.is_clerk(user):  # TO_ISSUE
        documents = document_list_visible_to(user).filter(status=Document.Status.SIGNED)
    else:
        documents = Document.objects.none()
    return documents.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class WorkCounts:
    """How many things wait for the person in each section, counted, never loaded."""

    to_sign: int = 0
    returned: int = 0
    drafts: int = 0
    to_issue: int = 0
    receipts: int = 0
    assignments: int = 0
    to_review: int = 0
    tasks: int = 0

    @property
    def total(self) -> int:
        """The number beside "Việc của tôi"."""
        return (
            self.to_sign
            + self.returned
            + self.drafts
            + self.to_issue
            + self.receipts
            + self.assignments
            + self.to_review
            + self.tasks
        )


def count_each(**querysets: QuerySet) -> dict[str, int]:
    """Several COUNTs in one round trip, ``SELECT (SELECT COUNT(*) FROM (…)), …``: the menu
    asks six of them on every page. Each query's SQL is Django's own, its values bound as
    parameters; an empty queryset (``none()``) counts 0 without SQL."""
    counts = dict.fromkeys(querysets, 0)
    names: list[str] = []
    columns: list[str] = []
    params: list = []
    for name, queryset in querysets.items():
        try:
            sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue
        names.append(name)
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS {name}_rows)")  # noqa: S608
        params.extend(query_params)
    if columns:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)}", params)  # noqa: S608 (see above)
            counts.update(zip(names, cursor.fetchone(), strict=True))
    return counts


def work_counts(user: User) -> WorkCounts:
    """The size of each section of the person's work, in one query (count_each), whatever
    the data: inbox tasks to sign and others, own drafts and returned documents, documents
    to issue (văn thư), receipts waiting for them."""
    inbox = task_inbox(user)
    draft, returned = Document.Status.DRAFT, Document.Status.RETURNED
    counts = count_each(
        to_sign=inbox.filter(flow_task=DocumentFlow.sign_off),
        tasks=inbox.exclude(flow_task__in=SHOWN_TASKS),
        drafts=_mine(user).filter(status=draft),
        returned=_mine(user).filter(status=returned),
        to_issue=(
            work_list(user, WorkSection.TO_ISSUE)
            if permissions.is_clerk(user)
            else Document.objects.none()
        ),
        receipts=receipts_waiting_for(user),
        assignments=followup_selectors.open_for(user),
        to_review=followup_selectors.to_review_for(user),
    )
    return WorkCounts(**counts)


@dataclass
class WorkSummary:
    """What waits for one person, on one screen: the first few of each section, and its size."""

    counts: WorkCounts = field(default_factory=WorkCounts)
    to_sign: list[Task] = field(default_factory=list)
    returned: list[Document] = field(default_factory=list)
    drafts: list[Document] = field(default_factory=list)
    to_issue: list[Document] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    to_review: list[Assignment] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many things wait for the person: the number beside "Việc của tôi"."""
        return self.counts.total

    @property
    def is_empty(self) -> bool:
        return self.counts.total == 0


def work_summary(user: User, *, limit: int = WORK_PREVIEW) -> WorkSummary:
    """The size of every section of the person's work (work_counts) and its first ``limit``
    items (work_list), loaded only for the sections that are not empty."""
    counts = work_counts(user)
    summary = WorkSummary(counts=counts)
    for section, name in (
        (WorkSection.TO_SIGN, "to_sign"),
        (WorkSection.RETURNED, "returned"),
        (WorkSection.DRAFTS, "drafts"),
        (WorkSection.TO_ISSUE, "to_issue"),
        (WorkSection.RECEIPTS, "receipts"),
        (WorkSection.ASSIGNMENTS, "assignments"),
        (WorkSection.TO_REVIEW, "to_review"),
        (WorkSection.TASKS, "tasks"),
    ):
        if getattr(counts, name):
            setattr(summary, name, list(work_list(user, section)[:limit]))
    return summary


def work_summary_for_request(request) -> WorkSummary:
    """The person's work summary, computed once per request: the home page lists it and the
    menu counts it on the same response."""
    summary = getattr(request, "_vanthu_work_summary", None)
    if summary is None:
        summary = request._vanthu_work_summary = work_summary(request.user)
    return summary


def work_count_for_request(request) -> int:
    """The number beside "Việc của tôi" on every page: the home page's summary when the page
    has one, the counts alone otherwise (nothing is loaded to be counted)."""
    summary = getattr(request, "_vanthu_work_summary", None)
    if summary is not None:
        return summary.count
    if not request.user.is_authenticated:
        return 0
    counts = getattr(request, "_vanthu_work_counts", None)
    if counts is None:
        counts = request._vanthu_work_counts = work_counts(request.user)
    return counts.total


# --- notifications -------------------------------------------------------------------

UNREAD_COUNTED_UP_TO = 100  # the menu shows "99+" beyond: counting stops there


def notification_read_up_to(user: User) -> int:
    """The id of the newest notification the person has read (0: none)."""
    marks = NotificationReadMark.objects.filter(user=user).values_list("read_up_to", flat=True)
    return marks.first() or 0


def _read_up_to_sql(user: User) -> Coalesce:
    """The person's read mark inside the query that needs it (no query of its own)."""
    mark = NotificationReadMark.objects.filter(user=user).values("read_up_to")[:1]
    return Coalesce(Subquery(mark), Value(0))


def _notification_streams(user: User) -> list[QuerySet[Notification]]:
    """The person's notifications as one stream per audience (the person, each of their
    units), each served in id order by its index (notification_person, notification_unit)."""
    notifications = Notification.objects.order_by()  # a union orders only as a whole
    streams = [notifications.filter(recipient=user)]
    streams += [notifications.filter(unit_id=unit) for unit in permissions.unit_ids(user)]
    return streams


def notification_for_q(user: User) -> Q:
    """Notifications to the person or to one of their units, as a filter (to check ids)."""
    return Q(recipient=user) | Q(unit__in=permissions.unit_ids(user))


class NotificationFeed:
    """The person's notifications newest first, as a paginator reads them (count, slices,
    iteration): one stream per audience, merged by the database in a UNION ALL. Where the
    database allows it (PostgreSQL), each stream is cut at the slice's end, so a page reads
    that many rows of each index, not every notification of the unit."""

    ordered = True  # for the paginator: newest first

    def __init__(self, streams: list[QuerySet[Notification]]) -> None:
        self.streams = streams

    def _merged(self, end: int | None = None) -> QuerySet[Notification]:
        first, *others = self.streams
        if not others:
            return first.order_by("-pk")
        if end is not None and connection.features.supports_slicing_ordering_in_compound:
            first, *others = [stream.order_by("-pk")[:end] for stream in self.streams]
        return first.union(*others, all=True).order_by("-pk")

    def count(self) -> int:
        return self._merged().count()

    def count_up_to(self, limit: int) -> int:
        """How many, counting at most ``limit`` (ui.pagination.CappedPaginator): at most
        ``limit`` ids of each stream (the streams never share a row), in one query. Django
        cannot count a sliced union, so the streams' own SQL is wrapped by hand."""
        parts: list[str] = []
        params: list = []
        for number, stream in enumerate(self.streams):
            sql, stream_params = stream.order_by().values("pk")[:limit].query.sql_with_params()
            # Django's own SQL of each stream, its values bound as parameters.
            parts.append(f"SELECT * FROM ({sql}) AS stream{number}")  # noqa: S608
            params.extend(stream_params)
        with connection.cursor() as cursor:
            feed = " UNION ALL ".join(parts)
            cursor.execute(f"SELECT COUNT(*) FROM ({feed}) AS feed", params)  # noqa: S608
            (count,) = cursor.fetchone()
        return min(count, limit)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Notification]:
        return iter(self._merged())

    def __getitem__(self, index: slice) -> list[Notification]:
        if not isinstance(index, slice) or index.step is not None or index.stop is None:
            raise TypeError("NotificationFeed takes slices [start:stop]")
        if index.stop <= (index.start or 0):
            return []  # an empty page (a sliced-to-nothing stream would leave the union)
        return list(self._merged(end=index.stop)[index.start : index.stop])


def notification_list_for(user: User) -> NotificationFeed:
    """The notifications to the person or to one of their units, newest first, each with
    ``unread``: newer than their read mark."""
    unread = ExpressionWrapper(Q(pk__gt=_read_up_to_sql(user)), output_field=BooleanField())
    return NotificationFeed([s.annotate(unread=unread) for s in _notification_streams(user)])


def notification_unread_count(user: User | AnonymousUser) -> int:
    """How many notifications the person has not read, counted up to UNREAD_COUNTED_UP_TO:
    only the ones newer than their read mark are read from the indexes."""
    if not user.is_authenticated:
        return 0
    read_up_to = _read_up_to_sql(user)
    streams = [stream.filter(pk__gt=read_up_to) for stream in _notification_streams(user)]
    first, *others = streams
    unread = first.union(*others, all=True) if others else first
    return unread.order_by()[:UNREAD_COUNTED_UP_TO].count()
