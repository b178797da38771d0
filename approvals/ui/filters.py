"""Filters of viewflow's lists (inbox, queue, archive, task list, process list).

viewflow's own filtersets (``viewflow/workflow/flow/views/filters.py``) do not scale:
``FlowUserTaskListFilter`` puts every process with an open task of the person into one
``<select>`` (VIEWFLOW.md, trap 18: 3 MB of HTML at 100,000 documents for a 25-row page), and
every one of them computes its task choices with a ``DISTINCT`` over the person's tasks on each
request. Here nothing renders an option per process, per user or per row:

- the task (node) choices are the flow's own nodes, read from the class (no query);
- dates are picked from a few fixed periods, each turned into a half-open range on the column
  (``created >= start AND created < end``), which an index serves, never ``__month``/``__day``
  extracts;
- a document is found through the list's search box (its trích yếu or số ký hiệu, the views'
  ``search_fields``), never picked from a list of every process.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import chart
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from ..flows import DocumentFlow

OPEN = "open"  # "not finished yet": the finished column is empty


def period(choice: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days [first, after) a period choice covers, in the local calendar."""
    one_day = dt.timedelta(days=1)
    if choice == "today":
        return today, today + one_day
    if choice == "yesterday":
        return today - one_day, today
    if choice == "week":
        return today - dt.timedelta(days=6), today + one_day
    if choice == "month":
        first = today.replace(day=1)
        return first, (first + dt.timedelta(days=32)).replace(day=1)
    if choice == "year":
        return today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1)
    return None


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PeriodFilter(django_filters.ChoiceFilter):
    """A datetime column within today, yesterday, the past 7 days, this month or this year;
    with ``open_choice``, also "not finished yet" (the column is empty)."""

    def __init__(self, *args, open_choice: bool = False, **kwargs):
        choices = [
            ("today", _("Hôm nay")),
            ("yesterday", _("Hôm qua")),
            ("week", _("7 ngày qua")),
            ("month", _("Tháng này")),
            ("year", _("Năm nay")),
        ]
        if open_choice:
            choices.append((OPEN, _("Chưa xong")))
        kwargs.setdefault("empty_label", _("Bất kỳ"))
        super().__init__(*args, choices=choices, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        if value == OPEN:
            return qs.filter(**{f"{self.field_name}__isnull": True})
        days = period(value, timezone.localdate())
        if days is None:
            return qs
        first, after = days
        return qs.filter(
            **{
                f"{self.field_name}__gte": local_midnight(first),
                f"{self.field_name}__lt": local_midnight(after),
            }
        )


@cache
def _flow_nodes() -> list:
    """The flow's nodes in the order a document meets them."""
    nodes, _edges = chart.topsort(DocumentFlow)
    return list(nodes)


def node_choices(*, human_only: bool) -> list[tuple[str, str]]:
    """The flow's steps, by title: from the class, whatever the data (titles are lazy
    translations, rendered in the person's language)."""
    return [
        (get_task_ref(node), node.task_title or node.name)
        for node in _flow_nodes()
        if not human_only or node.task_type == "HUMAN"
    ]


class PersonTaskFilter(django_filters.FilterSet):
    """Inbox and queue: the step, and when the task was created."""

    flow_task = django_filters.ChoiceFilter(label=_("Công việc"), empty_label=_("Bất kỳ"))
    created = PeriodFilter(label=_("Ngày giao"))

    class Meta:
        model = Task
        fields = ("flow_task", "created")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].extra["choices"] = node_choices(human_only=True)


class PersonArchiveFilter(PersonTaskFilter):
    """The tasks the person completed: the step, when it was created, when it was done."""

    finished = PeriodFilter(label=_("Ngày xử lý xong"))

    class Meta:
        model = Task
        fields = ("flow_task", "created", "finished")


class TaskListFilter(django_filters.FilterSet):
    """Every visible task: the step (any node), its state, when created and finished."""

    flow_task = django_filters.ChoiceFilter(label=_("Công việc"), empty_label=_("Bất kỳ"))
    status = django_filters.MultipleChoiceFilter(label=_("Trạng thái"), choices=STATUS.choices)
    created = PeriodFilter(label=_("Ngày tạo"))
    finished = PeriodFilter(label=_("Ngày xong"), open_choice=True)

    class Meta:
        model = Task
        fields = ("flow_task", "status", "created", "finished")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].extra["choices"] = node_choices(human_only=False)


class ProcessListFilter(django_filters.FilterSet):
    """Every visible process: its state, when it started and finished."""

    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), choices=PROCESS.choices, empty_label=_("Bất kỳ")
    )
    created = PeriodFilter(label=_("Ngày bắt đầu"))
    finished = PeriodFilter(label=_("Ngày kết thúc"), open_choice=True)

    class Meta:
        model = Process
        fields = ("status", "created", "finished")
