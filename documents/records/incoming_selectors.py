"""Who sees which incoming documents, and who may take which step on one.

An incoming document is a Document (origin INCOMING, status ISSUED) of the receiving agency,
so the one visibility rule (documents.access) answers who sees it: the agency's văn thư (all
of them, confidential ones included), its leaders (the non-confidential ones, and those
presented to them), the members of the units it was assigned to, and its handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from .. import access, permissions
from ..models import Assignment, Document, IncomingRecord, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = IncomingRecord.Status
# Hỏa tốc first, then Thượng khẩn, then Khẩn, then the rest.
URGENCY_RANK = {
    Document.Urgency.HOA_TOC: 0,
    Document.Urgency.THUONG_KHAN: 1,
    Document.Urgency.KHAN: 2,
}


def incoming_list_visible_to(user: User) -> QuerySet[IncomingRecord]:
    """The incoming documents the person may see: urgent ones waiting first, then the newest
    số đến first."""
    rows = access.visible_access(user)
    if rows is None:
        return IncomingRecord.objects.none()
    # Urgent ones lead the list while they wait; once done or sent back they take their turn.
    waiting = (Status.REGISTERED, Status.PRESENTED, Status.ASSIGNED)
    rank = Case(
        *(
            When(document__urgency=urgency, status__in=waiting, then=Value(n))
            for urgency, n in URGENCY_RANK.items()
        ),
        default=Value(9),
        output_field=IntegerField(),
    )
    return (
        IncomingRecord.objects.filter(Exists(rows.filter(document=OuterRef("document_id"))))
        .select_related("document__document_type", "presented_to", "handler")
        .annotate(urgency_rank=rank)
        .order_by("urgency_rank", "-arrival_year", "-arrival_number", "-pk")
    )


def incoming_get_visible(user: User, document_pk: int) -> IncomingRecord | None:
    """The incoming document with this Document pk, if the person may see it."""
    return (
        incoming_list_visible_to(user)
        .select_related("document__organization", "sender_unit", "registered_by")
        .select_related("instructed_by", "done_by", "duplicate_of__document")
        .filter(document_id=document_pk)
        .first()
    )


def assignment_of(record: IncomingRecord) -> Assignment | None:
    """The one assignment the leader's instruction made, if any."""
    return (
        Assignment.objects.filter(plan_id=record.document_id)
        .select_related("lead_unit__head")
        .prefetch_related("supporting_units")
        .order_by("pk")
        .first()
    )


def leaders_of(organization_id: int) -> QuerySet:
    """The agency's leaders (Ban Giám đốc): whom the văn thư presents to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=permissions.GROUP_SIGNERS,
            profile__unit__organization_id=organization_id,
        )
        .select_related("profile__position")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def head_of_agency(organization_id: int):
    """The Giám đốc (the leader whose position is the agency's head title), else None."""
    for leader in leaders_of(organization_id).select_related("profile__unit__organization"):
        organization = leader.profile.unit.organization
        if leader.profile.position.name.casefold() == organization.head_title.casefold():
            return leader
    return None


def assignable_units(organization_id: int) -> QuerySet[Unit]:
    """The agency's own active units (the records office aside) a leader assigns to."""
    return Unit.objects.filter(
        organization_id=organization_id,
        kind=Unit.Kind.INTERNAL,
        is_active=True,
        is_records_office=False,
    ).order_by("name")


# --- who may take which step ------------------------------------------------------------


def _of_agency(user: User, record: IncomingRecord) -> bool:
    organization = permissions.organization_of(user)
    return organization is not None and organization.pk == record.organization_id


def can_register(user: User) -> bool:
    """A văn thư of an agency registers what it receives."""
    return permissions.is_clerk(user) and permissions.organization_of(user) is not None


def can_present(user: User, record: IncomingRecord) -> bool:
    """The agency's văn thư presents a registered (or again, a presented) document."""
    return (
        record.status in (Status.REGISTERED, Status.PRESENTED)
        and permissions.is_clerk(user)
        and _of_agency(user, record)
    )


def can_send_back(user: User, record: IncomingRecord) -> bool:
    """The agency's văn thư returns a wrongly addressed one before it is assigned."""
    return can_present(user, record)


def can_instruct(user: User, record: IncomingRecord) -> bool:
    """A leader of the agency (the one it was presented to, or another) instructs on it."""
    return (
        record.status == Status.PRESENTED
        and permissions.is_leader(user)
        and _of_agency(user, record)
    )


def can_give(user: User, record: IncomingRecord, assignment: Assignment | None) -> bool:
    """The head of the unit in charge gives it to one of the unit's members."""
    return (
        record.status == Status.ASSIGNED
        and assignment is not None
        and permissions.acts_in_workflow(user)
        and assignment.lead_unit.head_id == user.pk
    )


def can_propose(user: User, record: IncomingRecord) -> bool:
    """The person it was given to writes their proposal (ý kiến đề xuất)."""
    return (
        record.status == Status.ASSIGNED
        and record.handler_id is not None
        and record.handler_id == user.pk
        and permissions.acts_in_workflow(user)
    )


def can_complete(user: User, record: IncomingRecord, assignment: Assignment | None) -> bool:
    """A member of the unit in charge marks it handled (giải quyết xong)."""
    return (
        record.status == Status.ASSIGNED
        and assignment is not None
        and assignment.lead_unit_id in permissions.unit_ids(user)
    )


def can_answer(user: User, record: IncomingRecord, assignment: Assignment | None) -> bool:
    """A drafter of the unit in charge answers it with an outgoing document citing it."""
    return can_complete(user, record, assignment) and permissions.can_create(user)


def unit_members(unit: Unit) -> QuerySet:
    """The active people of a unit (through its group), whom its head may give work to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__pk=unit.group_id)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )
