"""The messages of the incoming documents' steps (through approvals.notifications, as the
follow-up's reminders send theirs): a confidential one is named only by its số đến."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from .. import confidential
from ..models import Document, IncomingRecord, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def detail_path(document: Document) -> str:
    return reverse("records:incoming_detail", kwargs={"pk": document.pk})


def label(record: IncomingRecord) -> str:
    """How a message names it: of a confidential one, only its số đến."""
    document = record.document
    if confidential.is_confidential(document):
        return _("văn bản mật, số đến %(number)s") % {"number": record.arrival_number}
    return f"{document.notation} ({record.sender_name}) — {document.subject}"


def notify(
    *, users: list[User | None], record: IncomingRecord, kind: str, message: str, exclude=None
) -> None:
    from approvals.notifications import in_office_language, notify

    in_office_language(notify)(
        users=users,
        document=record.document,
        kind=kind,
        message=message[:500],
        url=detail_path(record.document),
        exclude=exclude,
    )


def notify_units_of(units: list[int], record: IncomingRecord, message: str) -> None:
    from approvals.notifications import in_office_language, notify_units

    in_office_language(notify_units)(
        units=units,
        document=record.document,
        kind="task_assigned",
        message=message[:500],
        url=detail_path(record.document),
    )


def tell_sender(record: IncomingRecord, message: str = "") -> None:
    """The sender, when it is an outside unit of the directory with people in the app, is
    told of receipt (or of the return): a notification to the unit, leading to its list of
    notifications (it does not see the registered document)."""
    unit = record.sender_unit
    if unit is None or unit.kind != Unit.Kind.EXTERNAL:
        return
    from approvals.notifications import in_office_language, notify_units

    @in_office_language
    def send() -> None:
        template = message or _(
            "%(agency)s đã nhận văn bản %(notation)s của quý cơ quan, số đến %(number)s."
        )
        text = template % {
            "agency": record.organization.name,
            "notation": record.document.notation,
            "number": record.arrival_number,
            "reason": record.sent_back_reason,
        }
        notify_units(
            units=[unit.pk],
            document=record.document,
            kind="received",
            message=text[:500],
            url=reverse("documents:notification_list"),
        )

    send()
