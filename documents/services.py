"""The only writers of documents and receipts. Each service is one transaction: it locks the
row, checks the actor's right, changes state and appends the audit event, or changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from . import (
    access,
    audit,
    integrity,
    numbering,
    originals,
    permissions,
    search,
    transactions,
    uploads,
)
from .followup import services as followup
from .followup.services import AssignmentSpec
from .models import (
    Assignment,
    Attachment,
    Document,
    DocumentType,
    Event,
    Organization,
    Receipt,
    RecipientLine,
    Rendition,
    Unit,
)
from .models.document import ensure_document_open
from .people import display_name
from .records import recall


@dataclass(frozen=True)
class RecipientSpec:
    """One "Nơi nhận" line and the units it reaches (none for a line like "Như trên")."""

    text: str
    units: Sequence[Unit] = field(default_factory=tuple)


def _locked(document: Document) -> Document:
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("organization", "document_type", "drafting_unit", "drafter", "signer")
        .get(pk=document.pk)
    )


def _save(instance, actor: User | None, update_fields: Iterable[str] | None = None) -> None:
    """Save with the actor recorded in simple-history, inside or outside a request."""
    instance._history_user = actor
    instance.save(update_fields=update_fields)


def _replace_recipients(
    document: Document, recipients: Iterable[RecipientSpec], *, new: bool = False
) -> None:
    """The Nơi nhận lines, in order, and the units each reaches: two statements in all
    (bulk writes skip RecipientLine.save, so its guard is called here)."""
    ensure_document_open(document)
    if not new:
        document.recipient_lines.all().delete()
    specs: list[tuple[RecipientLine, Sequence[Unit]]] = []
    for position, spec in enumerate(recipients):
        text = spec.text.strip().lstrip("-").strip().rstrip(";.").strip()
        if text:
            specs.append(
                (RecipientLine(document=document, position=position, text=text), spec.units)
            )
    lines = RecipientLine.objects.bulk_create([line for line, _units in specs])
    through = RecipientLine.units.through
    through.objects.bulk_create(
        [
            through(recipientline_id=line.pk, unit_id=unit.pk)
            for line, (_line, units) in zip(lines, specs, strict=True)
            for unit in {unit.pk: unit for unit in units}.values()
        ]
    )


class Unchanged:
    """document_update's default for corrects/replaces: leave them as they are."""


UNCHANGED = Unchanged()


def _supersede(
    document: Document,
    actor: User,
    cites: list[Document],
    *,
    corrects: Document | None,
    replaces: Document | None,
    document_type: DocumentType | None = None,
) -> list[Document]:
    """Set what the draft corrects or replaces (an issued document the drafter may see, of
    the right type: documents.records.recall); the draft cites it too."""
    from .selectors import document_list_visible_to

    olds = [old for old in (corrects, replaces) if old is not None]
    visible = document_list_visible_to(actor).filter(pk__in=[old.pk for old in olds])
    if visible.count() != len(olds):
        raise ValidationError({"corrects" if corrects else "replaces": _("Không tìm thấy.")})
    recall.validate_supersedes(
        document_type=document_type or document.document_type,
        corrects=corrects,
        replaces=replaces,
    )
    document.corrects, document.replaces = corrects, replaces
    return cites + [old for old in olds if old.pk not in {c.pk for c in cites}]


def _update_supersede(document, actor, cites, corrects, replaces, changes) -> list[Document]:
    """document_update's part of _supersede: the new values (or the present ones)."""
    if isinstance(corrects, Unchanged):
        corrects = document.corrects
    if isinstance(replaces, Unchanged):
        replaces = document.replaces
    document_type = changes.get("document_type", document.document_type)
    before = (document.corrects_id, document.replaces_id)
    if cites is None:
        cites = list(document.cites.all())
    cites = list(cites)
    if corrects is None and replaces is None:
        document.corrects = document.replaces = None
    else:
        cites = _supersede(
            document,
            actor,
            cites,
            corrects=corrects,
            replaces=replaces,
            document_type=document_type,  # type: ignore[arg-type]
        )
    after = (document.corrects_id, document.replaces_id)
    document.__dict__["_vanthu_superseding"] = [
        n for n, b, a in zip(("corrects", "replaces"), before, after, strict=True) if b != a
    ]
    return cites


CONTENT_FIELDS = (
    "document_type",
    "subject",
    "body",
    "urgency",
    "confidentiality",
    "archive_copies",
)


@transactions.service
def document_create(
    *,
    actor: User,
    organization: Organization | None,
    document_type: DocumentType,
    subject: str,
    body: str = "",
    urgency: str = "",
    confidentiality: str = "",
    archive_copies: int | None = None,
    recipients: Iterable[RecipientSpec] = (),
    cites: Iterable[Document] = (),
    assignments: Iterable[AssignmentSpec] = (),
    answers: Assignment | None = None,
    corrects: Document | None = None,
    replaces: Document | None = None,
) -> Document:
    """A drafter (chuyên viên) starts a draft in their own unit: with the tasks it assigns
    (``assignments``), or as the report that answers an assignment (``answers``); a
    correction or replacement names the document it corrects or replaces."""
    permissions.ensure_can_create(actor)
    if organization is None:
        raise ValidationError(
            _("Tài khoản của bạn chưa gắn với đơn vị nào của cơ quan; liên hệ quản trị hệ thống.")
        )
    if not subject.strip():
        raise ValidationError({"subject": _("Trích yếu không được để trống.")})
    profile = permissions.profile_of(actor)
    document = Document(
        organization=organization,
        document_type=document_type,
        subject=subject.strip(),
        body=body,
        urgency=urgency,
        confidentiality=confidentiality,
        archive_copies=archive_copies,
        drafter=actor,
        drafting_unit=profile.unit if profile else None,
    )
    cites = list(cites)
    if corrects is not None or replaces is not None:
        cites = _supersede(document, actor, cites, corrects=corrects, replaces=replaces)
    _save(document, actor)
    if cites:
        document.cites.add(*cites)
    _replace_recipients(document, recipients, new=True)
    assignments = list(assignments)
    if assignments:
        followup.replace_assignments(document, assignments)
    if answers is not None:
        followup.link_report(document=document, assignment=answers, actor=actor)
    access.grant_drafter(actor, document)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.CREATED,
        data={"answers": answers.pk} if answers is not None else None,
    )
    search.reindex(document)
    return document


@transactions.service
def document_update(
    *,
    document: Document,
    actor: User,
    recipients: Iterable[RecipientSpec] | None = None,
    cites: Iterable[Document] | None = None,
    assignments: Iterable[AssignmentSpec] | None = None,
    corrects: Document | None | Unchanged = UNCHANGED,
    replaces: Document | None | Unchanged = UNCHANGED,
    **changes: object,
) -> Document:
    """The drafter edits their draft while it is a draft or returned for revision."""
    document = _locked(document)
    permissions.ensure_can_edit(actor, document)
    if not (isinstance(corrects, Unchanged) and isinstance(replaces, Unchanged)):
        cites = _update_supersede(document, actor, cites, corrects, replaces, changes)
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "subject" in changes and not str(changes["subject"]).strip():
        raise ValidationError({"subject": _("Trích yếu không được để trống.")})
    changed = [name for name, value in changes.items() if getattr(document, name) != value]
    for name in changed:
        setattr(document, name, changes[name])
    changed += document.__dict__.pop("_vanthu_superseding", [])
    _save(document, actor)
    if cites is not None:
        cites = list(cites)
        if {c.pk for c in cites} != set(document.cites.values_list("pk", flat=True)):
            document.cites.set(cites)
            changed.append("cites")
    if recipients is not None:
        _replace_recipients(document, recipients)
        changed.append("recipients")
    if assignments is not None:
        followup.replace_assignments(document, assignments)
        changed.append("assignments")
    audit.record(document=document, actor=actor, kind=Event.Kind.EDITED, data={"fields": changed})
    search.reindex(document)
    return document


@transactions.service
def attachment_add(*, document: Document, actor: User, upload: UploadedFile) -> Attachment:
    """The drafter attaches a file to their draft: a PDF, DOCX, XLSX, ODT, JPEG or PNG by its
    content (documents.uploads), stored under a generated name."""
    document = _locked(document)
    permissions.ensure_can_edit(actor, document)
    try:
        detected = uploads.inspect_upload(upload, name=upload.name or "", size=upload.size or 0)
    except ValidationError as error:
        raise ValidationError({"attachment": error.error_list}) from error
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = store_attachment(
        document=document,
        actor=actor,
        upload=upload,
        detected=detected,
        sha256=digest.hexdigest(),
        size=upload.size or 0,
    )
    search.reindex(document)
    return attachment


def store_attachment(
    *,
    document: Document,
    actor: User,
    upload: UploadedFile,
    detected: uploads.DetectedFile,
    sha256: str,
    size: int,
) -> Attachment:
    """Store a checked upload under a generated name, and record its making (name and
    SHA-256) in the document's trail, which verify_audit checks the file against (inside the
    caller's transaction)."""
    attachment = Attachment(
        document=document,
        original_name=detected.name,
        content_type=detected.content_type,
        sha256=sha256,
        size=size,
        uploaded_by=actor,
    )
    upload.seek(0)
    attachment.file.save(detected.name, upload, save=False)
    attachment.save()
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.ATTACHED,
        data={"name": attachment.original_name, "sha256": attachment.sha256},
    )
    return attachment


def signature_block(*, signer: User, organization: Organization) -> tuple[str, str]:
    """Authority and title: a deputy signs 'KT. GIÁM ĐỐC' above 'PHÓ GIÁM ĐỐC' (Điều 13)."""
    profile = permissions.profile_of(signer)
    assert profile is not None  # a signer has a position (document_submit checks)
    position = profile.position.name
    head = organization.head_title
    if position.casefold() == head.casefold():
        return "", head.upper()
    return f"KT. {head.upper()}", position.upper()


@transactions.service
def document_submit(*, document: Document, actor: User, signer: User) -> Document:
    """The drafter submits the draft (trình ký) to the leader who is to sign it."""
    document = _locked(document)
    permissions.ensure_can_submit(actor, document)
    if not permissions.is_signer(signer) or permissions.profile_of(signer) is None:
        raise ValidationError({"signer": _("Người được chọn không phải lãnh đạo ký văn bản.")})
    if not document.recipient_lines.exists():
        raise ValidationError({"recipients": _("Văn bản phải có nơi nhận.")})
    followup.ensure_report_addressed(
        document, lambda: [unit.pk for unit in recipient_units(document)]
    )
    previous = document.status
    resubmission = previous == Document.Status.RETURNED
    document.signer = signer
    document.signer_name = display_name(signer)
    document.signer_authority, document.signer_title = signature_block(
        signer=signer, organization=document.organization
    )
    document.status = Document.Status.SUBMITTED
    _save(document, actor)
    access.grant_signer(signer, document)
    access.sync_access(document, previous_status=previous)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.SUBMITTED,
        data={"signer": document.signer_name, "resubmission": resubmission},
    )
    return document


def _required(text: str, field_name: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field_name: message})
    return text


def _decline(*, document: Document, actor: User, status: str, kind: str, comment: str) -> Document:
    """Close the sign-off without approving: the signer's right to sign this round ends."""
    document = _locked(document)
    permissions.ensure_can_sign_off(actor, document)
    previous, document.status = document.status, status
    _save(document, actor)
    access.revoke_signer(actor, document)
    access.sync_access(document, previous_status=previous)
    audit.record(document=document, actor=actor, kind=kind, comment=comment)
    return document


@transactions.service
def document_return(*, document: Document, actor: User, comment: str) -> Document:
    """The signer returns the draft to its drafter for revision, saying what to change."""
    comment = _required(comment, "comment", _("Phải ghi ý kiến khi trả lại văn bản."))
    return _decline(
        document=document,
        actor=actor,
        status=Document.Status.RETURNED,
        kind=Event.Kind.RETURNED,
        comment=comment,
    )


@transactions.service
def document_reject(*, document: Document, actor: User, reason: str) -> Document:
    """The signer refuses the draft for good, giving the reason."""
    reason = _required(reason, "comment", _("Phải ghi lý do khi không duyệt văn bản."))
    document = _decline(
        document=document,
        actor=actor,
        status=Document.Status.REJECTED,
        kind=Event.Kind.REJECTED,
        comment=reason,
    )
    followup.report_rejected(document, actor)
    return document


@transactions.service
def document_sign_off(*, document: Document, actor: User, comment: str = "") -> Document:
    """The signer approves the content; its SHA-256 is fixed from now on."""
    document = _locked(document)
    permissions.ensure_can_sign_off(actor, document)
    recall.ensure_supersedable(document)  # the document it corrects may have been recalled
    originals.ensure_signer_can_sign(actor)
    document.freeze_names()
    document.content_hash = integrity.content_hash(document)
    document.signed_off_at = timezone.now()
    previous, document.status = document.status, Document.Status.SIGNED
    _save(document, actor)
    access.revoke_signer(actor, document)
    access.sync_access(document, previous_status=previous)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.SIGNED_OFF,
        comment=comment.strip(),
        data={"content_hash": document.content_hash},
    )
    # The signer's signed original is made off the request (documents.originals).
    originals.enqueue(document, Rendition.Kind.SIGNED_OFF)
    return document


def recipient_units(document: Document) -> list[Unit]:
    """Every distinct unit named in the document's Nơi nhận, in order of appearance."""
    seen: dict[int, Unit] = {}
    for line in integrity.recipient_lines(document):
        for unit in line.units.all():
            seen.setdefault(unit.pk, unit)
    return list(seen.values())


@transactions.service
def document_issue(
    *, document: Document, actor: User, issued_on: dt.date | None = None
) -> Document:
    """The văn thư gives the signed document its number and date and sends it to every
    recipient unit, one receipt each."""
    document = _locked(document)
    permissions.ensure_can_issue(actor, document)
    recall.ensure_supersedable(document)  # the document it corrects may have been recalled
    integrity.ensure_content_unchanged(document)
    originals.ensure_ready_to_issue(document)
    units = recipient_units(document)
    if not units:
        raise ValidationError({"recipients": _("Văn bản không có đơn vị nhận nào.")})
    issued_on = issued_on or timezone.localdate()
    document.register_key = numbering.register_key_for(document)
    document.number = numbering.take_next(
        organization=document.organization, key=document.register_key, year=issued_on.year
    )
    document.notation = numbering.notation_for(document, document.number)
    document.issued_on = issued_on
    document.issued_year = issued_on.year
    document.place = document.organization.place
    previous, document.status = document.status, Document.Status.ISSUED
    # Only the registration columns: the content was checked just above.
    _save(document, actor, update_fields=Document.WORKFLOW_COLUMNS)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.ISSUED,
        data={
            "notation": document.notation,
            "issued_on": issued_on.isoformat(),
            "register": document.register_key,
            "content_hash": document.content_hash,
        },
    )
    # Given to the unit's designated receiver; a unit without one: any member.
    receipts = bulk_create_with_history(
        [Receipt(document=document, unit=unit, assignee_id=unit.receiver_id) for unit in units],
        Receipt,
        default_user=actor,
    )
    access.grant_recipient_units(document, receipts)
    access.sync_access(document, previous_status=previous)
    audit.record(
        document=document,
        actor=actor,
        kind=Event.Kind.DISTRIBUTED,
        data={"units": [unit.name for unit in units]},
    )
    if document.corrects_id or document.replaces_id:  # the old one's trail says so
        recall.record_superseded(document=document, actor=actor)
    # The tasks the document assigns start now, with their deadlines.
    followup.activate(document, actor=actor, issued_on=issued_on)
    # Number, date and the agency's signature go into the original off the request.
    originals.enqueue(document, Rendition.Kind.ISSUED)
    search.reindex(document, registration_only=True)  # its số ký hiệu joins the entry
    return document


@transactions.service
def receipt_acknowledge(*, receipt: Receipt, actor: User) -> Receipt:
    """A member of the recipient unit confirms that the unit received the document."""
    receipt = _locked_receipt(receipt)
    permissions.ensure_can_acknowledge(actor, receipt)
    originals.ensure_issued_original(receipt.document)
    receipt.status = Receipt.Status.ACKNOWLEDGED
    receipt.acknowledged_by = actor
    receipt.acknowledged_at = timezone.now()
    _save(receipt, actor)
    audit.record(
        document=receipt.document,
        actor=actor,
        kind=Event.Kind.ACKNOWLEDGED,
        data={"unit": receipt.unit.name},
    )
    followup.report_acknowledged(receipt, actor)
    return receipt


def _locked_receipt(receipt: Receipt) -> Receipt:
    return (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("document", "unit")
        .get(pk=receipt.pk)
    )


@transactions.service
def receipt_hand_over(*, receipt: Receipt, actor: User, to: User) -> Receipt:
    """The head of the recipient unit (the văn thư, for the records office) gives the receipt
    to a member of the unit, who then acknowledges it."""
    receipt = _locked_receipt(receipt)
    permissions.ensure_can_hand_over(actor, receipt)
    permissions.ensure_member(to, receipt)
    previous = receipt.assignee
    receipt.assignee = to
    _save(receipt, actor)
    audit.record(
        document=receipt.document,
        actor=actor,
        kind=Event.Kind.HANDED_OVER,
        data={
            "unit": receipt.unit.name,
            "from": display_name(previous) if previous else "",
            "to": display_name(to),
        },
    )
    return receipt


@transactions.service
def document_archive(*, document: Document) -> Document:
    """Once every recipient unit has acknowledged, the document is archived (Lưu: VT)."""
    document = _locked(document)
    if document.status != Document.Status.ISSUED:
        raise ValidationError(_("Chỉ văn bản đã ban hành mới được lưu trữ."))
    if document.receipts.exclude(status=Receipt.Status.ACKNOWLEDGED).exists():
        raise ValidationError(_("Còn đơn vị chưa xác nhận đã nhận văn bản."))
    previous, document.status = document.status, Document.Status.ARCHIVED
    _save(document, None, update_fields=Document.WORKFLOW_COLUMNS)
    access.sync_access(document, previous_status=previous)
    audit.record(document=document, actor=None, kind=Event.Kind.ARCHIVED)
    return document
