"""The follow-up dashboard's figures ("Theo dõi thực hiện"), in a constant number of queries.

Every figure is read from ``selectors.visible_assignments`` (the one rule of who sees which
assignment) with the state as shown (``selectors.with_state``: "overdue" for an open one past
its deadline), counted in SQL grouped by the unit in charge. A deadline is met ("đúng hạn")
when the assignment was reported (or done) on or before its day, missed ("trễ hạn") when
reported after it; an open one past its day is overdue ("quá hạn"). How many working days an
overdue one is late is counted from one read of the administrator's calendar changes
(``WorkingDays``) instead of one per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from .. import permissions, workdays
from ..models import Assignment, CalendarChange, Document, Unit
from . import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The overdue assignments listed on the page (the rest are counted, and in the XLSX export).
OVERDUE_LIST_SIZE = 50
# Rows of the XLSX export at most (the sheet says so when there are more).
EXPORT_ROW_CAP = 10_000

Status = Assignment.Status
FINISHED = (Status.REPORTED, Status.DONE)
# The day the unit answered: its report's day, or the day it was confirmed done.
_ANSWERED_ON = Coalesce("reported_on", "completed_on")
ON_TIME = Q(status__in=FINISHED) & (
    Q(due_on__isnull=True) | Q(answered_on__isnull=True) | Q(answered_on__lte=F("due_on"))
)
LATE = Q(status__in=FINISHED, answered_on__gt=F("due_on"))


def may_follow_up(user: User) -> bool:
    """Who may open the dashboard: a member of one of the agency's own units (its leaders are
    in Ban Giám đốc) other than the records office, or anyone who sees some assignment. The
    văn thư, outside units (Công an tỉnh…) and the administrator see none: refused."""
    if not permissions.acts_in_workflow(user):
        return False
    profile = permissions.profile_of(user)
    if profile is not None:
        unit = profile.unit
        if (
            unit.kind == Unit.Kind.INTERNAL
            and unit.organization_id is not None
            and not unit.is_records_office
        ):
            return True
    return selectors.visible_assignments(user).exists()


def plans_for(user: User) -> QuerySet[Document]:
    """The issued plans of which the person sees some assignment, newest first."""
    plan_ids = selectors.visible_assignments(user).values("plan_id")
    return Document.objects.filter(
        pk__in=plan_ids, status__in=(Document.Status.ISSUED, Document.Status.ARCHIVED)
    ).order_by("-issued_on", "-pk")


def units_for(user: User) -> QuerySet[Unit]:
    """The units in charge of the assignments the person sees."""
    return Unit.objects.filter(pk__in=selectors.visible_assignments(user).values("lead_unit_id"))


def scoped(
    user: User,
    *,
    today: dt.date,
    plan: Document | None = None,
    unit: Unit | None = None,
) -> QuerySet[Any]:
    """The assignments the person sees, narrowed to a plan and a unit, with their state."""
    queryset = selectors.visible_assignments(user)
    if plan is not None:
        queryset = queryset.filter(plan_id=plan.pk)
    if unit is not None:
        queryset = queryset.filter(lead_unit_id=unit.pk)
    return selectors.with_state(queryset, today).annotate(answered_on=_ANSWERED_ON)


def timeliness(state: str, answered_on: dt.date | None, due_on: dt.date | None) -> str:
    """'on_time', 'late', 'overdue' or '' (open, not yet due), as the SQL counts below."""
    if state == Assignment.OVERDUE:
        return "overdue"
    if state in FINISHED:
        if due_on is not None and answered_on is not None and answered_on > due_on:
            return "late"
        return "on_time"
    return ""


@dataclass
class UnitSummary:
    """One unit's figures (or the total of every unit's, ``unit_id`` None)."""

    unit_id: int | None
    name: str
    not_started: int = 0
    in_progress: int = 0
    reported: int = 0
    done: int = 0
    overdue: int = 0
    on_time: int = 0
    late: int = 0
    total: int = 0

    @property
    def timed(self) -> int:
        """The assignments the chart shows: on time, late and overdue."""
        return self.on_time + self.late + self.overdue


COUNTED = ("not_started", "in_progress", "reported", "done", "overdue", "on_time", "late")


def unit_summaries(queryset: QuerySet[Any]) -> list[UnitSummary]:
    """Per unit in charge, in one query: counts by state, on time, late and overdue."""

    def state(value: str) -> Count:
        return Count("pk", filter=Q(state=value))

    rows = (
        queryset.order_by()
        .values("lead_unit_id", "lead_unit__name")
        .annotate(
            not_started=state(Status.NOT_STARTED),
            in_progress=state(Status.IN_PROGRESS),
            reported=state(Status.REPORTED),
            done=state(Status.DONE),
            overdue=state(Assignment.OVERDUE),
            on_time=Count("pk", filter=ON_TIME),
            late=Count("pk", filter=LATE),
            total=Count("pk"),
        )
        .order_by("lead_unit__name", "lead_unit_id")
    )
    return [
        UnitSummary(
            unit_id=row["lead_unit_id"],
            name=row["lead_unit__name"],
            total=row["total"],
            **{key: row[key] for key in COUNTED},
        )
        for row in rows
    ]


def total_of(summaries: Iterable[UnitSummary], name: str) -> UnitSummary:
    total = UnitSummary(unit_id=None, name=name)
    for row in summaries:
        for key in (*COUNTED, "total"):
            setattr(total, key, getattr(total, key) + getattr(row, key))
    return total


class WorkingDays:
    """``workdays.working_days_between(start, today)`` for many starts, from one read of the
    calendar changes between the earliest start and today: a running count of the working
    days from the earliest start, so each figure is a subtraction."""

    def __init__(self, earliest: dt.date | None, today: dt.date):
        self.today = today
        self.first = min(earliest or today, today)
        changes = dict(
            CalendarChange.objects.filter(day__range=(self.first, today)).values_list("day", "kind")
        )
        self._running = [0]
        for offset in range(1, (today - self.first).days + 1):
            day = self.first + dt.timedelta(days=offset)
            self._running.append(self._running[-1] + workdays._worked(day, changes))

    def since(self, start: dt.date) -> int:
        """Working days after ``start`` up to and including today."""
        if start >= self.today:
            return 0
        if start < self.first:
            # Outside the range read (a row changed between two queries): ask the calendar.
            return workdays.working_days_between(start, self.today)
        return self._running[-1] - self._running[(start - self.first).days]


@dataclass(frozen=True)
class OverdueRow:
    assignment: Assignment
    working_days: int


def overdue_rows(
    queryset: QuerySet[Any], today: dt.date, limit: int = OVERDUE_LIST_SIZE
) -> list[OverdueRow]:
    """The overdue assignments, the longest overdue first (two queries, however many)."""
    rows = list(
        queryset.filter(state=Assignment.OVERDUE)
        .select_related("plan", "lead_unit")
        .order_by("due_on", "pk")[:limit]
    )
    if not rows:
        return []
    counter = WorkingDays(rows[0].due_on, today)
    return [OverdueRow(row, counter.since(row.due_on)) for row in rows if row.due_on]


def ordered_list(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Every assignment of the scope, by deadline (those without one last)."""
    return queryset.select_related("plan", "lead_unit").order_by(
        F("due_on").asc(nulls_last=True), "plan_id", "position", "pk"
    )


# --- the chart ----------------------------------------------------------------------------

SERIES = ("on_time", "late", "overdue")


@dataclass(frozen=True)
class Segment:
    series: str
    count: int
    x: float
    width: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def shows_number(self) -> bool:
        """Wide enough to hold its number (the bar's end says every number anyway)."""
        return self.width >= 22


@dataclass(frozen=True)
class Bar:
    name: str
    y: int
    on_time: int
    late: int
    overdue: int
    segments: Sequence[Segment]
    end_x: float

    @property
    def label_y(self) -> int:
        return self.y - 6

    @property
    def number_y(self) -> int:
        return int(self.y + Chart.BAR_HEIGHT // 2 + 5)


@dataclass
class Chart:
    """A horizontal stacked bar per unit (on time, late, overdue), laid out for inline SVG."""

    WIDTH = 760
    LEFT = 8
    BAR_AREA = 600
    TOP = 48  # below the legend
    BAR_HEIGHT = 20
    ROW = 52  # the unit's name above its bar, then a gap

    bars: list[Bar] = field(default_factory=list)

    @property
    def height(self) -> int:
        return self.TOP + self.ROW * max(len(self.bars), 1)

    @property
    def is_empty(self) -> bool:
        return not any(bar.segments for bar in self.bars)


def chart(summaries: Sequence[UnitSummary]) -> Chart:
    """The units' bars on one scale: the longest bar fills the area."""
    result = Chart()
    scale = Chart.BAR_AREA / max([row.timed for row in summaries] + [1])
    for index, row in enumerate(summaries):
        y = Chart.TOP + Chart.ROW * index + 18
        x = float(Chart.LEFT)
        segments = []
        for series in SERIES:
            count = getattr(row, series)
            if count:
                width = round(count * scale, 1)
                segments.append(Segment(series, count, round(x, 1), width))
                x += width
        result.bars.append(
            Bar(
                name=row.name,
                y=y,
                on_time=row.on_time,
                late=row.late,
                overdue=row.overdue,
                segments=segments,
                end_x=round(x + 6, 1),
            )
        )
    return result
