"""Incoming documents (văn bản đến, Điều 20–24): the văn thư registers what the agency
receives with its số đến, presents it to a leader the same day; the leader instructs and
assigns a unit in charge, supporting units and a deadline (an Assignment of the document,
followed like a plan's); the unit handles it, may answer it, and marks it done. A wrongly
addressed one goes back to its sender.

Selectors and step predicates: incoming_selectors; the reception's checks: incoming_checks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, audit, numbering, permissions, search, services, transactions
from ..models import Assignment, Attachment, Document, DocumentType, Event, IncomingRecord, Unit
from ..people import display_name
from ..text import clean_text
from . import incoming_checks as checks
from . import incoming_notify as notify
from . import incoming_selectors as rules
from .incoming_checks import text as _text
from .incoming_selectors import (  # noqa: F401 - the selectors, from here too
    assignment_of,
    head_of_agency,
    incoming_get_visible,
    incoming_list_visible_to,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

    from ..models import Organization

Status = IncomingRecord.Status
GENERAL_BOOK = "DEN"  # the incoming register book (Phụ lục IV, VI)
CONFIDENTIAL_BOOK = "DEN-MAT"  # confidential ones have their own sequence


def book_for(confidentiality: str) -> str:
    """Mật and above go into their own book; everything else into the general one."""
    return CONFIDENTIAL_BOOK if confidentiality else GENERAL_BOOK


@transactions.service
def incoming_register(
    *,
    actor: User,
    upload: UploadedFile,
    document_type: DocumentType | None,
    subject: str,
    notation: str,
    issued_on: dt.date | None,
    sender_name: str,
    organization: Organization | None = None,
    signer_name: str = "",
    urgency: str = "",
    confidentiality: str = "",
    sender_unit: Unit | None = None,
    channel: str = IncomingRecord.Channel.ELECTRONIC,
    due_on: dt.date | None = None,
    confirm_duplicate: bool = False,
    notes: str = "",
) -> IncomingRecord:
    """The agency's văn thư registers a received document: its file checked (and a signed
    PDF's signatures), a duplicate refused unless confirmed, the next số đến of the year's
    book taken under the counter's lock."""
    if not rules.can_register(actor):
        raise PermissionDenied(_("Chỉ văn thư của cơ quan được tiếp nhận văn bản đến."))
    own = permissions.organization_of(actor)
    if organization is not None and own is not None and organization.pk != own.pk:
        raise PermissionDenied(_("Chỉ vào sổ văn bản đến của cơ quan mình."))
    organization = own
    assert organization is not None  # can_register
    # Pasted text may carry control characters (from a PDF): never stored, never exported.
    subject, notation, sender_name = _line(subject), _line(notation), _line(sender_name)
    signer_name, notes = clean_text(signer_name), clean_text(notes)
    checks.check_metadata(
        document_type=document_type,
        subject=subject,
        notation=notation,
        issued_on=issued_on,
        urgency=urgency,
        confidentiality=confidentiality,
        sender_name=sender_name,
        channel=channel,
        due_on=due_on,
    )
    assert document_type is not None and issued_on is not None
    checked = checks.check_file(upload)
    duplicate = checks.find_duplicate(
        organization=organization,
        sender_name=sender_name,
        sender_unit=sender_unit,
        notation=notation,
        sha256=checked.sha256,
    )
    if duplicate is not None and not confirm_duplicate:
        raise ValidationError({"confirm_duplicate": checks.duplicate_message(duplicate)})
    signature_status, report = checks.check_signatures(checked)
    document = Document(
        origin=Document.Origin.INCOMING,
        organization=organization,
        document_type=document_type,
        subject=subject[:500],
        urgency=urgency,
        confidentiality=confidentiality,
        status=Document.Status.ISSUED,
        notation=notation[:60],
        issued_on=issued_on,
        issued_year=issued_on.year,
        signer_name=_text(signer_name, "signer_name", "", required=False)[:150],
        issuer_name=sender_name[:255],
    )
    document._history_user = actor  # type: ignore[attr-defined]
    document.save()
    access.sync_access(document)
    _store_file(document, actor, upload, checked)
    now = timezone.now()
    year = timezone.localtime(now).year
    book = book_for(confidentiality)
    record = IncomingRecord(
        document=document,
        organization=organization,
        book=book,
        arrival_year=year,
        arrival_number=numbering.take_next(organization=organization, key=book, year=year),
        arrival_at=now,
        channel=channel,
        sender_name=sender_name[:255],
        sender_unit=sender_unit,
        file_sha256=checked.sha256,
        notation_key=checks.notation_key(notation),
        signature_status=signature_status,
        signature_report=report,
        due_on=due_on,
        duplicate_of=duplicate,
        registered_by=actor,
        notes=_text(notes, "notes", "", required=False),
    )
    record._history_user = actor  # type: ignore[attr-defined]
    record.save()
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.REGISTERED,
        data={
            "arrival_number": record.arrival_number,
            "arrival_year": year,
            "book": book,
            "sender": record.sender_name,
            "notation": document.notation,
            "signature_status": signature_status,
            "duplicate_of": duplicate.document_id if duplicate is not None else None,
        },
    )
    search.reindex(document)
    notify.tell_sender(record)
    return record


def _line(value: str) -> str:
    """One line of clean text: no control characters, runs of spaces collapsed."""
    return " ".join(clean_text(value).split())


def _store_file(
    document: Document, actor: User, upload: UploadedFile, checked: checks.CheckedFile
) -> Attachment:
    return services.store_attachment(
        document=document,
        actor=actor,
        upload=upload,
        detected=checked.detected,
        sha256=checked.sha256,
        size=len(checked.content),
    )


def _locked(record: IncomingRecord) -> IncomingRecord:
    return (
        IncomingRecord.objects.select_for_update(of=("self",))
        .select_related("document__document_type")
        .get(pk=record.pk)
    )


def _ensure(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@transactions.service
def incoming_present(
    *, record: IncomingRecord, actor: User, leader: User | None = None
) -> IncomingRecord:
    """The văn thư presents it to a leader of the agency (by default the Giám đốc), who then
    sees it, confidential or not."""
    record = _locked(record)
    _ensure(rules.can_present(actor, record), _("Chỉ văn thư trình văn bản đến chưa giao xử lý."))
    leader = leader or head_of_agency(record.organization_id)
    if leader is None or not rules.leaders_of(record.organization_id).filter(pk=leader.pk).exists():
        raise ValidationError({"leader": _("Hãy chọn một lãnh đạo của cơ quan.")})
    record.presented_to = leader
    record.presented_at = timezone.now()
    record.status = Status.PRESENTED
    record._history_user = actor  # type: ignore[attr-defined]
    record.save(update_fields=["presented_to", "presented_at", "status"])
    document = record.document
    access._grant_access(document, f"user:{leader.pk}")
    urgent = bool(document.urgency)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.PRESENTED,
        data={"leader": display_name(leader), "urgent": urgent},
    )
    message = _("Văn bản đến trình xin ý kiến: %(doc)s") % {"doc": notify.label(record)}
    if urgent:
        message = f"[{document.get_urgency_display().upper()}] {message}"
    notify.notify(users=[leader], record=record, kind="incoming", message=message)
    return record


@transactions.service
def incoming_instruct(
    *,
    record: IncomingRecord,
    actor: User,
    instruction: str,
    lead_unit: Unit | None,
    supporting_units: list[Unit] | tuple[Unit, ...] = (),
    due_on: dt.date | None = None,
) -> Assignment:
    """A leader of the agency writes the instruction and assigns the unit in charge, the
    supporting units and the deadline: one Assignment of the document, active today."""
    record = _locked(record)
    _ensure(
        rules.can_instruct(actor, record),
        _("Chỉ lãnh đạo cơ quan cho ý kiến văn bản đến đã được trình."),
    )
    instruction = _text(instruction, "instruction", _("Hãy ghi ý kiến chỉ đạo."))
    units = rules.assignable_units(record.organization_id)
    if lead_unit is None or not units.filter(pk=lead_unit.pk).exists():
        raise ValidationError({"lead_unit": _("Hãy chọn đơn vị chủ trì thuộc cơ quan.")})
    supporting = [unit for unit in supporting_units if unit.pk != lead_unit.pk]
    if len({u.pk for u in supporting}) != units.filter(pk__in=[u.pk for u in supporting]).count():
        raise ValidationError({"supporting_units": _("Đơn vị phối hợp phải thuộc cơ quan.")})
    due_on = due_on or record.due_on
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise ValidationError({"due_on": _("Hạn giải quyết không được trước hôm nay.")})
    assignment = Assignment(
        plan=record.document,
        task=instruction,
        lead_unit=lead_unit,
        deadline_kind=Assignment.Deadline.DATE,
        deadline_text=due_on.strftime("%d/%m/%Y") if due_on else "",
        due_on=due_on,
        status=Assignment.Status.NOT_STARTED,
        activated_on=today,
    )
    assignment._history_user = actor  # type: ignore[attr-defined]
    assignment.save()
    assignment.supporting_units.set(supporting)
    record.instruction, record.instructed_by = instruction, actor
    record.instructed_at, record.due_on, record.status = timezone.now(), due_on, Status.ASSIGNED
    record._history_user = actor  # type: ignore[attr-defined]
    record.save(update_fields=["instruction", "instructed_by", "instructed_at", "due_on", "status"])
    access.grant_groups(record.document, [lead_unit.group_id, *(u.group_id for u in supporting)])
    audit.record(
        document=record.document,
        actor=actor,
        kind=Event.Kind.INSTRUCTED,
        comment=instruction,
        data={
            "unit": lead_unit.name,
            "supporting": [unit.name for unit in supporting],
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    search.reindex(record.document)  # the instruction (the task) is part of its search text
    message = _("Văn bản đến giao đơn vị xử lý: %(doc)s") % {"doc": notify.label(record)}
    notify.notify_units_of([lead_unit.pk, *(u.pk for u in supporting)], record, message)
    return assignment


@transactions.service
def incoming_give(
    *, record: IncomingRecord, actor: User, handler: User | None, unit_instruction: str = ""
) -> IncomingRecord:
    """The head of the unit in charge gives it to one member of the unit, with their note."""
    record = _locked(record)
    assignment = assignment_of(record)
    _ensure(
        rules.can_give(actor, record, assignment),
        _("Chỉ lãnh đạo đơn vị chủ trì giao văn bản đến cho người giải quyết."),
    )
    assert assignment is not None
    members = rules.unit_members(assignment.lead_unit)
    if handler is None or not members.filter(pk=handler.pk).exists():
        raise ValidationError({"handler": _("Hãy chọn người của đơn vị chủ trì.")})
    record.handler = handler
    record.unit_instruction = _text(unit_instruction, "unit_instruction", "", required=False)
    record.unit_instructed_at = timezone.now()
    record._history_user = actor  # type: ignore[attr-defined]
    record.save(update_fields=["handler", "unit_instruction", "unit_instructed_at"])
    if assignment.status == Assignment.Status.NOT_STARTED:
        assignment.status = Assignment.Status.IN_PROGRESS
        assignment._history_user = actor  # type: ignore[attr-defined]
        assignment.save(update_fields=["status"])
    access._grant_access(record.document, f"user:{handler.pk}")
    audit.record(
        document=record.document,
        actor=actor,
        kind=Event.Kind.HANDLER_ASSIGNED,
        comment=record.unit_instruction,
        data={"unit": assignment.lead_unit.name, "handler": display_name(handler)},
    )
    message = _("Văn bản đến giao bạn giải quyết: %(doc)s") % {"doc": notify.label(record)}
    notify.notify(users=[handler], record=record, kind="assigned", message=message, exclude=actor)
    return record


@transactions.service
def incoming_propose(*, record: IncomingRecord, actor: User, proposal: str) -> IncomingRecord:
    """The person it was given to writes their proposal (ý kiến đề xuất, phiếu phần 3)."""
    record = _locked(record)
    _ensure(rules.can_propose(actor, record), _("Chỉ người giải quyết được ghi ý kiến đề xuất."))
    record.proposal = _text(proposal, "proposal", _("Hãy ghi ý kiến đề xuất."))
    record.proposed_at = timezone.now()
    record._history_user = actor  # type: ignore[attr-defined]
    record.save(update_fields=["proposal", "proposed_at"])
    audit.record(
        document=record.document, actor=actor, kind=Event.Kind.PROPOSED, comment=record.proposal
    )
    return record


@transactions.service
def incoming_complete(*, record: IncomingRecord, actor: User, result: str) -> IncomingRecord:
    """A member of the unit in charge marks it handled, with the result; its assignment is
    done today."""
    record = _locked(record)
    assignment = assignment_of(record)
    _ensure(
        rules.can_complete(actor, record, assignment),
        _("Chỉ đơn vị chủ trì xác nhận đã giải quyết xong văn bản đến."),
    )
    assert assignment is not None
    record.result = _text(result, "result", _("Hãy ghi kết quả giải quyết."))
    record.done_at, record.done_by, record.status = timezone.now(), actor, Status.DONE
    record._history_user = actor  # type: ignore[attr-defined]
    record.save(update_fields=["result", "done_at", "done_by", "status"])
    locked = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    locked.status = Assignment.Status.DONE
    locked.completed_on = timezone.localdate()
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "completed_on"])
    replies = list(
        record.document.cited_by.filter(origin=Document.Origin.OUTGOING)
        .exclude(notation="")
        .values_list("notation", flat=True)
    )
    audit.record(
        document=record.document,
        actor=actor,
        kind=Event.Kind.HANDLED,
        comment=record.result,
        data={"unit": assignment.lead_unit.name, "replies": replies},
    )
    message = _("Văn bản đến đã giải quyết xong: %(doc)s") % {"doc": notify.label(record)}
    notify.notify(users=[record.instructed_by], record=record, kind="task_done", message=message)
    return record


@transactions.service
def incoming_send_back(*, record: IncomingRecord, actor: User, reason: str) -> IncomingRecord:
    """The văn thư returns a wrongly addressed document to its sender, with the reason,
    before it is assigned."""
    record = _locked(record)
    _ensure(
        rules.can_send_back(actor, record),
        _("Chỉ văn thư trả lại văn bản đến chưa giao xử lý."),
    )
    record.sent_back_reason = _text(reason, "reason", _("Hãy ghi lý do trả lại."))
    record.sent_back_at, record.status = timezone.now(), Status.SENT_BACK
    record._history_user = actor  # type: ignore[attr-defined]
    record.save(update_fields=["sent_back_reason", "sent_back_at", "status"])
    audit.record(
        document=record.document,
        actor=actor,
        kind=Event.Kind.SENT_BACK_TO_SENDER,
        comment=record.sent_back_reason,
        data={"sender": record.sender_name, "notation": record.document.notation},
    )
    if record.sender_unit_id is not None:
        message = _("Văn bản %(notation)s gửi đến %(agency)s đã được trả lại. Lý do: %(reason)s")
        notify.tell_sender(record, message)
    return record
