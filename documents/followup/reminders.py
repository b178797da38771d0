"""Reminders about the deadlines of open assignments, and escalation of overdue ones.

Run by ``manage.py send_reminders`` (cron, on one machine) or by Celery beat
(documents.tasks.send_assignment_reminders) as often as wanted: each reminder is sent once per
deadline, however many times and on however many machines the job runs.

For an open assignment (Assignment.OPEN_STATUSES) with a deadline, on ``today``:

- BEFORE: 0 < working days from today to the deadline <= FOLLOWUP_REMIND_BEFORE_WORKING_DAYS:
  to the unit in charge;
- DUE: the deadline is today: to the unit in charge;
- OVERDUE: the deadline has passed: to the unit in charge, and ESCALATION: to the head of that
  unit and to the plan's signer as people, with a "quá hạn" event on the plan's trail.

The once-only rule is the database's: each reminder first inserts its Reminder row
(assignment, kind, deadline; unique "reminder_once_per_deadline") in the transaction that sends
it. A second scheduler inserting the same row waits for the first one's commit and is refused:
it sends nothing. A deadline moved on (a monthly task's next month) is a new key, with
reminders of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, confidential, workdays
from ..models import Assignment, Document, Event, IncomingRecord, Reminder

Kind = Reminder.Kind

# Assignments read per query: memory stays flat whatever the number of open assignments.
CHUNK_SIZE = 500
# Of the task's text in a message (Notification.message holds 500 characters).
TASK_IN_MESSAGE = 200


def remind_before_working_days() -> int:
    return int(getattr(settings, "FOLLOWUP_REMIND_BEFORE_WORKING_DAYS", 3))


def _due(today: dt.date, before: int) -> QuerySet[Assignment]:
    """The open assignments that may need a reminder today and have not had it.

    In SQL: a deadline before the next working day after the window (a deadline on the
    Saturday after the window's last working day is still within N working days), and no
    reminder yet of the kind that applies today for this deadline. An overdue assignment is
    done once its ESCALATION row exists (written last, in the OVERDUE's transaction)."""
    window_end = workdays.add_working_days(today, before + 1)
    applicable = Case(
        When(due_on__lt=today, then=Value(Kind.ESCALATION)),
        When(due_on=today, then=Value(Kind.DUE)),
        default=Value(Kind.BEFORE),
        output_field=CharField(),
    )
    sent = Reminder.objects.filter(
        assignment_id=OuterRef("pk"), due_on=OuterRef("due_on"), kind=OuterRef("reminder_kind")
    )
    return (
        Assignment.objects.filter(
            status__in=Assignment.OPEN_STATUSES,
            due_on__isnull=False,
            due_on__lt=window_end,
        )
        .annotate(reminder_kind=applicable)
        .exclude(Exists(sent))
        .select_related("plan__document_type", "plan__signer", "lead_unit__head")
        .order_by("pk")
    )


def _chunks(queryset: QuerySet[Assignment]) -> Iterator[Assignment]:
    """The rows in primary-key order, CHUNK_SIZE per query (keyset pagination: no cursor is
    held open across the reminders' commits, on SQLite or behind a connection pooler)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last)[:CHUNK_SIZE])
        yield from rows
        if len(rows) < CHUNK_SIZE:
            return
        last = rows[-1].pk


def send_due_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Send today's reminders; how many of each kind (Reminder.Kind's values) were sent."""
    today = today or timezone.localdate()
    before = remind_before_working_days()
    counts = dict.fromkeys(Kind.values, 0)
    # Working days from today to each deadline (negative: overdue by as many), one calendar
    # query per distinct deadline, not per assignment.
    spans: dict[dt.date, int] = {}
    for assignment in _chunks(_due(today, before)):
        due_on = assignment.due_on
        assert due_on is not None  # filtered in SQL
        if due_on == today:
            if _remind(assignment, Kind.DUE, 0):
                counts[Kind.DUE] += 1
            continue
        if due_on not in spans:
            spans[due_on] = workdays.working_days_between(today, due_on)
        span = spans[due_on]
        if due_on < today:
            for kind in _overdue(assignment, -span):
                counts[kind] += 1
        elif 0 < span <= before and _remind(assignment, Kind.BEFORE, span):
            counts[Kind.BEFORE] += 1
    return counts


# --- one reminder: claim its row, then send it, in one transaction ------------------------


def _still_open(assignment: Assignment) -> bool:
    """Lock the assignment and check it still is open with the same deadline: a report
    accepted meanwhile (followup.services.review, which locks it too) wins."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk=assignment.pk, status__in=Assignment.OPEN_STATUSES, due_on=assignment.due_on)
        .order_by()  # not the model's ordering by plan: no join, no lock on the plan's row
        .values_list("pk", flat=True)
    )
    return bool(list(locked[:1]))


def _claim(assignment: Assignment, kind: str) -> bool:
    """Insert the reminder's row; False when another scheduler already did (its savepoint
    undone, the transaction goes on)."""
    assert assignment.due_on is not None
    try:
        with transaction.atomic():
            Reminder.objects.create(assignment=assignment, kind=kind, due_on=assignment.due_on)
    except IntegrityError:
        return False
    return True


def _remind(assignment: Assignment, kind: str, days_left: int) -> bool:
    with transaction.atomic():
        if not _still_open(assignment) or not _claim(assignment, kind):
            return False
        _notify_unit(assignment, kind, days_left)
    return True


def _overdue(assignment: Assignment, days_overdue: int) -> list[str]:
    """The unit's OVERDUE reminder and the leaders' ESCALATION, each once per deadline."""
    sent: list[str] = []
    with transaction.atomic():
        if not _still_open(assignment):
            return sent
        if _claim(assignment, Kind.OVERDUE):
            _notify_unit(assignment, Kind.OVERDUE, days_overdue)
            sent.append(Kind.OVERDUE)
        if _claim(assignment, Kind.ESCALATION):
            _escalate(assignment, days_overdue)
            sent.append(Kind.ESCALATION)
    return sent


# --- the messages -------------------------------------------------------------------------


def _parts(assignment: Assignment) -> dict[str, object]:
    """What a reminder says. Of a confidential plan: neither its number nor the task it
    assigns, only that it is confidential (documents.confidential)."""
    plan = assignment.plan
    task = assignment.task
    if len(task) > TASK_IN_MESSAGE:
        task = task[: TASK_IN_MESSAGE - 1].rstrip() + "…"
    assert assignment.due_on is not None
    secret = confidential.is_confidential(plan)
    return {
        "unit": assignment.lead_unit.name,
        "plan": (
            confidential.safe_title(plan)
            if secret
            else f"{plan.document_type.name} {plan.notation}".strip()
        ),
        "due": assignment.due_on.strftime("%d/%m/%Y"),
        "task": _("xem trên hệ thống") if secret else task,
    }


def _unit_message(assignment: Assignment, kind: str, days: int) -> str:
    parts = {**_parts(assignment), "days": days}
    if kind == Kind.BEFORE:
        return (
            _(
                "Nhiệm vụ của %(unit)s theo %(plan)s sắp đến hạn ngày %(due)s "
                "(còn %(days)d ngày làm việc): %(task)s"
            )
            % parts
        )
    if kind == Kind.DUE:
        return _("Nhiệm vụ của %(unit)s theo %(plan)s đến hạn ngày %(due)s: %(task)s") % parts
    return _overdue_message(parts)


def _overdue_message(parts: dict[str, object]) -> str:
    if parts["days"]:
        return (
            _(
                "Nhiệm vụ của %(unit)s theo %(plan)s đã quá hạn %(days)d ngày làm việc "
                "(hạn ngày %(due)s): %(task)s"
            )
            % parts
        )
    return _("Nhiệm vụ của %(unit)s theo %(plan)s đã quá hạn ngày %(due)s: %(task)s") % parts


def _assignment_path(assignment: Assignment) -> str:
    return reverse("documents:assignment_detail", kwargs={"pk": assignment.pk})


def _notify_unit(assignment: Assignment, kind: str, days: int) -> None:
    from approvals.models import Notification
    from approvals.notifications import in_office_language, notify_units

    @in_office_language
    def send() -> None:
        notify_units(
            units=[assignment.lead_unit_id],
            document=assignment.plan,
            kind=(
                Notification.Kind.TASK_OVERDUE
                if kind == Kind.OVERDUE
                else Notification.Kind.TASK_REMINDER
            ),
            message=_unit_message(assignment, kind, days),
            url=_assignment_path(assignment),
        )

    send()


def _instructor(assignment: Assignment):
    """An incoming document has no signer of ours: the leader who assigned it is told."""
    if assignment.plan.origin != Document.Origin.INCOMING:
        return None
    record = IncomingRecord.objects.filter(document_id=assignment.plan_id).first()
    return record.instructed_by if record is not None else None


def _escalate(assignment: Assignment, days_overdue: int) -> None:
    from approvals.models import Notification
    from approvals.notifications import in_office_language, notify

    @in_office_language
    def send() -> None:
        parts = {**_parts(assignment), "days": days_overdue}
        notify(
            users=[assignment.lead_unit.head, assignment.plan.signer or _instructor(assignment)],
            document=assignment.plan,
            kind=Notification.Kind.TASK_OVERDUE,
            message=_("Báo cáo lãnh đạo: %(message)s") % {"message": _overdue_message(parts)},
            url=_assignment_path(assignment),
        )

    send()
    assert assignment.due_on is not None
    audit.record(
        document=assignment.plan,
        actor=None,
        kind=Event.Kind.TASK_OVERDUE,
        data={
            "unit": assignment.lead_unit.name,
            "task": assignment.task[:TASK_IN_MESSAGE],
            "due_on": assignment.due_on.isoformat(),
            "working_days_overdue": days_overdue,
        },
    )
