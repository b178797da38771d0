"""The only writers of assignments and of the reports that answer them.

Assignments are written with their plan's draft (document_create / document_update call
``replace_assignments`` in their transaction) and become active at issuance (``activate``, in
document_issue's). A report is a document like any other, linked to its assignment when it is
drafted (``link_report``); its path through the workflow moves the assignment on: drafted →
đang thực hiện; acknowledged by the unit that follows the plan up (the plan's drafting unit,
Văn phòng for the seed plan) → đã báo cáo (``report_acknowledged``); not approved → back to
chưa thực hiện (``report_rejected``). That unit, or a leader, then accepts the report
(hoàn thành; a monthly task moves on to next month) or sends it back (``review``). Every
change keeps its history (simple-history, with the actor) and an event on the plan's trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .. import access, audit, permissions, transactions
from ..models import Assignment, AssignmentReport, Document, Event, Receipt, Unit
from ..models.document import ensure_document_open
from . import deadlines, selectors

Kind = Assignment.Deadline


@dataclass(frozen=True)
class AssignmentSpec:
    """One assignment as the drafter enters it."""

    task: str
    lead_unit: Unit
    supporting_units: Sequence[Unit] = field(default_factory=tuple)
    heading: str = ""
    deadline_text: str = ""
    deadline_kind: str = Kind.DATE
    due_on: dt.date | None = None
    working_days: int | None = None
    day_of_month: int | None = None


def _check(spec: AssignmentSpec, organization_id: int, index: int) -> None:
    where = _("Nhiệm vụ %(number)s: ") % {"number": index + 1}
    if not spec.task.strip():
        raise ValidationError({"assignments": where + _("chưa ghi nội dung nhiệm vụ.")})
    units = [spec.lead_unit, *spec.supporting_units]
    if any(unit.organization_id != organization_id or not unit.is_active for unit in units):
        raise ValidationError(
            {"assignments": where + _("chỉ giao cho đơn vị đang hoạt động thuộc cơ quan.")}
        )
    if spec.deadline_kind == Kind.DATE and spec.due_on is None:
        raise ValidationError({"assignments": where + _("chưa ghi hạn hoàn thành.")})
    if spec.deadline_kind == Kind.WORKING_DAYS and not spec.working_days:
        raise ValidationError({"assignments": where + _("số ngày làm việc phải lớn hơn 0.")})
    if spec.deadline_kind == Kind.MONTHLY and spec.day_of_month not in (None, *range(1, 32)):
        raise ValidationError({"assignments": where + _("ngày trong tháng không hợp lệ.")})
    if spec.deadline_kind not in Kind.values:
        raise ValidationError({"assignments": where + _("loại thời hạn không hợp lệ.")})


def replace_assignments(document: Document, specs: Iterable[AssignmentSpec]) -> None:
    """The draft's assignments, in order (inside document_create / document_update)."""
    ensure_document_open(document)
    specs = list(specs)
    for index, spec in enumerate(specs):
        _check(spec, document.organization_id, index)
    document.assignments.all().delete()
    rows = bulk_create_with_history(
        [
            Assignment(
                plan=document,
                position=position,
                heading=spec.heading.strip(),
                task=spec.task.strip(),
                lead_unit=spec.lead_unit,
                deadline_text=spec.deadline_text.strip(),
                deadline_kind=spec.deadline_kind,
                due_on=spec.due_on if spec.deadline_kind == Kind.DATE else None,
                working_days=spec.working_days if spec.deadline_kind == Kind.WORKING_DAYS else None,
                day_of_month=spec.day_of_month if spec.deadline_kind == Kind.MONTHLY else None,
            )
            for position, spec in enumerate(specs)
        ],
        Assignment,
    )
    through = Assignment.supporting_units.through
    through.objects.bulk_create(
        [
            through(assignment_id=row.pk, unit_id=unit.pk)
            for row, spec in zip(rows, specs, strict=True)
            for unit in {
                u.pk: u for u in spec.supporting_units if u.pk != spec.lead_unit.pk
            }.values()
        ]
    )


def payload(document: Document) -> list[list[object]]:
    """The assignments as the signer approved them (documents.integrity's content hash)."""
    rows = Assignment.objects.filter(plan_id=document.pk).order_by("position", "pk")
    return [
        [
            row.heading,
            row.task,
            row.lead_unit_id,
            sorted(u.pk for u in row.supporting_units.all()),
            row.deadline_text,
            row.deadline_kind,
            row.due_on.isoformat() if row.deadline_kind == Kind.DATE and row.due_on else None,
            row.working_days,
            row.day_of_month,
        ]
        for row in rows.prefetch_related("supporting_units")
    ]


def _deadline(assignment: Assignment) -> deadlines.Deadline:
    return deadlines.Deadline(
        kind=assignment.deadline_kind,
        due_on=assignment.due_on,
        working_days=assignment.working_days,
        day_of_month=assignment.day_of_month,
    )


def activate(document: Document, *, actor: User, issued_on: dt.date) -> list[Assignment]:
    """At issuance: each assignment gets its deadline and its unit in charge sees it (and the
    plan) in "Việc của tôi"; supporting units see the plan too (inside document_issue)."""
    assignments = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(plan_id=document.pk, status=Assignment.Status.PLANNED)
        .select_related("lead_unit")
        .prefetch_related("supporting_units")
        .order_by("position", "pk")
    )
    if not assignments:
        return []
    groups: set[int] = set()
    for assignment in assignments:
        assignment.status = Assignment.Status.NOT_STARTED
        assignment.activated_on = issued_on
        assignment.due_on = deadlines.due_on_issue(_deadline(assignment), issued_on)
        assignment._history_user = actor  # type: ignore[attr-defined]
        assignment.save(update_fields=["status", "activated_on", "due_on"])
        groups.add(assignment.lead_unit.group_id)
        groups.update(unit.group_id for unit in assignment.supporting_units.all())
    access.grant_groups(document, groups)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.ASSIGNED,
        data={
            "assignments": [
                {"unit": a.lead_unit.name, "task": a.task[:200], "due_on": a.due_on.isoformat()}
                for a in assignments
                if a.due_on is not None
            ]
        },
    )
    return assignments


# --- the unit's report --------------------------------------------------------------


def can_report(user: User, assignment: Assignment) -> bool:
    """A drafter of the unit in charge answers an active assignment not yet done (of an
    incoming document: on its own page, documents.records.incoming)."""
    return (
        assignment.status in (*Assignment.OPEN_STATUSES, Assignment.Status.REPORTED)
        and assignment.plan.origin != Document.Origin.INCOMING
        and permissions.can_create(user)
        and assignment.lead_unit_id in permissions.unit_ids(user)
    )


def ensure_can_report(user: User, assignment: Assignment) -> None:
    if not can_report(user, assignment):
        raise PermissionDenied(
            _("Chỉ chuyên viên của đơn vị chủ trì được báo cáo nhiệm vụ đang thực hiện.")
        )


def followup_unit_id(plan: Document) -> int | None:
    """The unit that follows the plan up and receives the reports: its drafting unit."""
    return plan.drafting_unit_id


@transactions.service
def link_report(*, document: Document, assignment: Assignment, actor: User) -> AssignmentReport:
    """The draft ``document`` answers ``assignment`` (inside document_create)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    ensure_can_report(actor, assignment)
    report = AssignmentReport(assignment=assignment, document=document, period=assignment.period)
    report._history_user = actor  # type: ignore[attr-defined]
    report.save()
    if assignment.status == Assignment.Status.NOT_STARTED:
        assignment.status = Assignment.Status.IN_PROGRESS
        assignment._history_user = actor  # type: ignore[attr-defined]
        assignment.save(update_fields=["status"])
    return report


def ensure_report_addressed(
    document: Document, recipient_unit_ids: Callable[[], list[int]]
) -> None:
    """A report is sent to the unit that follows the plan up (checked at submission; one
    query for a document that answers no assignment)."""
    targets = AssignmentReport.objects.filter(document_id=document.pk).values_list(
        "assignment__plan__drafting_unit_id", "assignment__plan__drafting_unit__name"
    )
    for target, name in targets:
        if target is not None and target not in recipient_unit_ids():
            raise ValidationError(
                {
                    "recipients": _("Báo cáo phải gửi đến %(unit)s (đơn vị theo dõi kế hoạch).")
                    % {"unit": name}
                }
            )


def report_acknowledged(receipt: Receipt, actor: User) -> AssignmentReport | None:
    """The follow-up unit acknowledged a report: the assignment is "đã báo cáo" (inside
    receipt_acknowledge; one statement when the document is no report for this unit)."""
    today = timezone.localdate()
    matched = AssignmentReport.objects.filter(
        document_id=receipt.document_id,
        outcome=AssignmentReport.Outcome.DRAFTING,
        assignment__plan__drafting_unit_id=receipt.unit_id,
    ).update(outcome=AssignmentReport.Outcome.RECEIVED, received_on=today)
    if not matched:
        return None
    report = AssignmentReport.objects.select_related(
        "assignment__plan", "assignment__lead_unit"
    ).get(document_id=receipt.document_id)
    report._history_user = actor  # type: ignore[attr-defined]
    report.save(update_fields=["outcome", "received_on"])  # its history row
    assignment = report.assignment
    assignment.status = Assignment.Status.REPORTED
    assignment.reported_on = today
    assignment._history_user = actor  # type: ignore[attr-defined]
    assignment.save(update_fields=["status", "reported_on"])
    audit.record(
        document=assignment.plan,
        actor=actor,
        kind=Event.Kind.TASK_REPORTED,
        data={
            "unit": assignment.lead_unit.name,
            "report": receipt.document.notation,
            "due_on": assignment.due_on.isoformat() if assignment.due_on else None,
            "late": bool(assignment.due_on and today > assignment.due_on),
        },
    )
    return report


def report_rejected(document: Document, actor: User) -> None:
    """The report was not approved: the assignment waits for another (inside
    document_reject)."""
    report = (
        AssignmentReport.objects.filter(
            document_id=document.pk, outcome=AssignmentReport.Outcome.DRAFTING
        )
        .select_related("assignment")
        .first()
    )
    if report is None:
        return
    report.outcome = AssignmentReport.Outcome.WITHDRAWN
    report._history_user = actor  # type: ignore[attr-defined]
    report.save(update_fields=["outcome"])
    assignment = Assignment.objects.select_for_update().get(pk=report.assignment_id)
    still_drafting = assignment.reports.filter(outcome=AssignmentReport.Outcome.DRAFTING).exists()
    if assignment.status == Assignment.Status.IN_PROGRESS and not still_drafting:
        assignment.status = Assignment.Status.NOT_STARTED
        assignment._history_user = actor  # type: ignore[attr-defined]
        assignment.save(update_fields=["status"])


# --- Văn phòng's review -------------------------------------------------------------


def can_review(user: User, assignment: Assignment) -> bool:
    """The unit that follows the plan up, or a leader of the agency, reviews a received
    report (the rule of selectors.sees_whole_plan)."""
    return assignment.status == Assignment.Status.REPORTED and selectors.sees_whole_plan(
        user, assignment.plan
    )


@transactions.service
def review(*, assignment: Assignment, actor: User, accept: bool, comment: str = "") -> Assignment:
    """Accept the received report (hoàn thành; a monthly task opens its next month) or send
    it back with a comment (a new report is due)."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("plan", "lead_unit")
        .get(pk=assignment.pk)
    )
    if not can_review(actor, assignment):
        raise PermissionDenied(_("Bạn không có quyền xem xét báo cáo của nhiệm vụ này."))
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Ghi rõ lý do yêu cầu báo cáo lại.")})
    report = (
        assignment.reports.select_for_update()
        .filter(outcome=AssignmentReport.Outcome.RECEIVED)
        .order_by("-pk")
        .first()
    )
    if report is None:
        raise ValidationError(_("Nhiệm vụ chưa có báo cáo nào đã nhận để xem xét."))
    report.outcome = (
        AssignmentReport.Outcome.ACCEPTED if accept else AssignmentReport.Outcome.SENT_BACK
    )
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.comment = comment
    report._history_user = actor  # type: ignore[attr-defined]
    report.save()
    today = timezone.localdate()
    finished_due = assignment.due_on
    if accept and assignment.deadline_kind == Kind.MONTHLY and assignment.due_on is not None:
        assignment.status = Assignment.Status.NOT_STARTED
        assignment.period += 1
        assignment.due_on = deadlines.next_monthly(assignment.due_on, assignment.day_of_month)
        assignment.reported_on = None
    elif accept:
        assignment.status = Assignment.Status.DONE
        assignment.completed_on = today
    else:
        assignment.status = Assignment.Status.IN_PROGRESS
    assignment._history_user = actor  # type: ignore[attr-defined]
    assignment.save()
    audit.record(
        document=assignment.plan,
        actor=actor,
        kind=Event.Kind.TASK_DONE if accept else Event.Kind.TASK_SENT_BACK,
        comment=comment,
        data={
            "unit": assignment.lead_unit.name,
            "task": assignment.task[:200],
            "report": report.document.notation,
            "period": report.period,
            "due_on": finished_due.isoformat() if finished_due else None,
        },
    )
    return assignment


def can_compile(user: User, plan: Document) -> bool:
    """A drafter of the plan's follow-up unit reports on an issued plan with assignments."""
    return (
        plan.status in (Document.Status.ISSUED, Document.Status.ARCHIVED)
        and permissions.can_create(user)
        and plan.drafting_unit_id in permissions.unit_ids(user)
        and plan.assignments.exists()
    )
