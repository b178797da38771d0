"""Who sees which assignments, and their state as shown (with "quá hạn").

The rule, written once: an active assignment (its plan issued) is seen by
1. the agency's leaders (the "Lãnh đạo Sở" group): every assignment of the agency's plans;
2. the unit that follows the plan up (its drafting unit: Văn phòng for the seed plan): every
   assignment of that plan;
3. the members of the unit in charge, and of the supporting units: their own.
The văn thư, outside units and the administrator see none (they may still see the plan).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from .. import permissions
from ..models import Assignment

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def visible_q(user: User) -> Q | None:
    """The rule above as a filter on Assignment; None: nothing."""
    if not permissions.acts_in_workflow(user):
        return None
    rule = Q(pk__in=[])
    organization = permissions.organization_of(user)
    if organization is not None and permissions.is_leader(user):
        rule |= Q(plan__organization_id=organization.pk)
    units = permissions.unit_ids(user)
    if units:
        supported = Assignment.supporting_units.through.objects.filter(
            assignment_id=OuterRef("pk"), unit_id__in=units
        )
        rule |= (
            Q(plan__drafting_unit_id__in=units) | Q(lead_unit_id__in=units) | Q(Exists(supported))
        )
    return rule


def visible_assignments(user: User) -> QuerySet[Assignment]:
    """The active assignments the person may see."""
    rule = visible_q(user)
    if rule is None:
        return Assignment.objects.none()
    return Assignment.objects.exclude(status=Assignment.Status.PLANNED).filter(rule)


def sees_whole_plan(user: User, plan) -> bool:
    """A leader of the agency or a member of the plan's follow-up unit (its drafting unit):
    every unit's rows, and the review of their reports (services.can_review)."""
    if not permissions.acts_in_workflow(user):
        return False
    if permissions.is_leader(user):
        organization = permissions.organization_of(user)
        return organization is not None and organization.pk == plan.organization_id
    return plan.drafting_unit_id in permissions.unit_ids(user)


def state_expression(today: dt.date | None = None) -> Case:
    """The state as shown: the stored status, or "overdue" for an open one past its day."""
    today = today or timezone.localdate()
    return Case(
        When(
            status__in=Assignment.OPEN_STATUSES,
            due_on__lt=today,
            then=Value(Assignment.OVERDUE),
        ),
        default="status",
        output_field=CharField(),
    )


def with_state(queryset: QuerySet[Assignment], today: dt.date | None = None) -> QuerySet:
    return queryset.annotate(state=state_expression(today))


def state_label(state: str) -> str:
    if state == Assignment.OVERDUE:
        return str(Assignment.OVERDUE_LABEL)
    return str(Assignment.Status(state).label)


def open_for(user: User) -> QuerySet[Assignment]:
    """The active assignments not yet done of the person's units ("Việc của tôi"): those in
    charge of them, nearest deadline first."""
    units = permissions.unit_ids(user) if permissions.acts_in_workflow(user) else []
    return (
        Assignment.objects.filter(
            lead_unit_id__in=units,
            status__in=(*Assignment.OPEN_STATUSES,),
        )
        .select_related("plan", "lead_unit")
        .order_by("due_on", "pk")
    )


def to_review_for(user: User) -> QuerySet[Assignment]:
    """Reports received and waiting for the review of the person's unit (the plans it follows
    up), oldest report first ("Việc của tôi")."""
    units = permissions.unit_ids(user) if permissions.acts_in_workflow(user) else []
    return (
        Assignment.objects.filter(
            plan__drafting_unit_id__in=units, status=Assignment.Status.REPORTED
        )
        .select_related("plan", "lead_unit")
        .order_by("reported_on", "pk")
    )
