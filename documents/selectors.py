"""What a person may see. Documents they may not see answer 404 (Http404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import access, permissions
from .models import Document, Event, Receipt
from .people import display_name


def document_list_visible_to(user: User) -> QuerySet[Document]:
    """The documents a person may see, by the rule written in documents.permissions."""
    documents = Document.objects.select_related("document_type", "organization", "drafting_unit")
    visible = access.visible_documents_q(user)
    if visible is None:
        return documents.none()
    return documents.filter(visible)


def document_ids_visible_to(user: User) -> QuerySet:
    """The ids of the documents the person may see, from the access table's index alone
    (for filters on other tables: processes, tasks)."""
    rows = access.visible_access(user)
    if rows is None:
        return Document.objects.none().values("pk")
    return rows.values("document_id")


def document_get_visible(user: User, pk: int) -> Document:
    """The document if the person may see it; 404 otherwise (its existence stays hidden)."""
    try:
        return document_list_visible_to(user).select_related("drafter").get(pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404("Không tìm thấy văn bản.") from exc


def receipt_list_for_user(user: User) -> QuerySet[Receipt]:
    """Receipts of the units the person belongs to."""
    units = permissions.unit_ids(user)
    if not units:
        return Receipt.objects.none()
    # By unit id (the person's units are cached with their groups): the (unit, status,
    # sent_at) index then serves the list's order, no join to the units first.
    return Receipt.objects.filter(unit_id__in=units).select_related(
        "document", "document__document_type", "unit"
    )


def receipt_get_visible(user: User, pk: int) -> Receipt:
    """A receipt of the person's own unit; 404 for any other."""
    try:
        return receipt_list_for_user(user).get(pk=pk)
    except Receipt.DoesNotExist as exc:
        raise Http404("Không tìm thấy phiếu nhận văn bản.") from exc


@dataclass(frozen=True)
class TimelineEntry:
    """One row of a document's timeline."""

    at: dt.datetime
    actor: str
    role: str
    action: str
    kind: str
    comment: str
    details: dict


def document_timeline(document: Document) -> list[TimelineEntry]:
    """The document's audit trail in order: who, in which role, did what, when, and why."""
    events = (
        Event.objects.filter(document=document).select_related("actor").order_by("created_at", "pk")
    )
    return [
        TimelineEntry(
            at=event.created_at,
            actor=display_name(event.actor) if event.actor else _("Hệ thống"),
            role=event.role,
            action=event.get_kind_display(),
            kind=event.kind,
            comment=event.comment,
            details=event.data,
        )
        for event in events
    ]
