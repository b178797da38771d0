"""Recall and correction of issued documents (Điều 19; Phụ lục VI, 8a–c).

A recalled document is frozen: its status is RECALLED, its pending receipts can no longer be
acknowledged or handed over, and its open workflow tasks end (approvals.services'
``document_recall``, the door every page uses, takes the flow lock first). Each recipient
unit confirms it removed its copy. The recall's reason, time and author stay on the document
and in its trail. A correction (đính chính, a Công văn) or a replacement names the document it
corrects or replaces; at its issuance the old document's trail records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, audit, permissions, transactions
from ..models import Document, Event, Receipt
from ..people import display_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RECALLABLE = (Document.Status.ISSUED, Document.Status.ARCHIVED)
RECALL_COLUMNS = ["status", "recalled_at", "recalled_by", "recall_reason", "updated_at"]


# --- who may ------------------------------------------------------------------------


def can_recall(user: User, document: Document) -> bool:
    """The signer of an issued outgoing document, or a văn thư of its agency (on the
    signer's instruction), recalls it once."""
    if not permissions.acts_in_workflow(user):
        return False
    if document.origin != Document.Origin.OUTGOING or document.status not in RECALLABLE:
        return False
    if document.signer_id == user.pk:
        return True
    organization = permissions.organization_of(user)
    return (
        permissions.is_clerk(user)
        and organization is not None
        and organization.pk == document.organization_id
    )


def ensure_can_recall(user: User, document: Document) -> None:
    if document.status == Document.Status.RECALLED:
        raise PermissionDenied(_("Văn bản đã được thu hồi."))
    if document.origin != Document.Origin.OUTGOING or document.status not in RECALLABLE:
        raise PermissionDenied(_("Chỉ văn bản đi đã ban hành mới được thu hồi."))
    if not can_recall(user, document):
        raise PermissionDenied(
            _("Chỉ người ký văn bản hoặc văn thư cơ quan (theo chỉ đạo của người ký) được thu hồi.")
        )


def can_confirm_recall(user: User, receipt: Receipt) -> bool:
    """A member of the recipient unit confirms, once, that the unit removed its copy."""
    return (
        receipt.document.status == Document.Status.RECALLED
        and receipt.recall_confirmed_at is None
        and permissions.is_member(user, receipt.unit)
    )


def ensure_can_confirm_recall(user: User, receipt: Receipt) -> None:
    if receipt.document.status != Document.Status.RECALLED:
        raise PermissionDenied(_("Văn bản này không bị thu hồi."))
    if receipt.recall_confirmed_at is not None:
        raise PermissionDenied(_("Đơn vị đã xác nhận thu hồi văn bản này."))
    if not can_confirm_recall(user, receipt):
        raise PermissionDenied(_("Chỉ thành viên của đơn vị nhận được xác nhận thu hồi."))


# --- services -----------------------------------------------------------------------


@transactions.service
def recall(*, document: Document, actor: User, reason: str) -> Document:
    """The recall's domain part (the caller ends the workflow): state, metadata, trail."""
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("organization", "document_type", "signer")
        .get(pk=document.pk)
    )
    ensure_can_recall(actor, document)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Phải ghi lý do thu hồi văn bản.")})
    previous = document.status
    document.status = Document.Status.RECALLED
    document.recalled_at = timezone.now()
    document.recalled_by = actor
    document.recall_reason = reason
    document._history_user = actor  # type: ignore[attr-defined]
    document.save(update_fields=RECALL_COLUMNS)
    access.sync_access(document, previous_status=previous)
    data: dict[str, object] = {"previous_status": previous}
    if document.signer_id != actor.pk:
        data["on_instruction_of"] = document.signer_name or display_name(document.signer)
    audit.record(
        document=document, actor=actor, kind=Event.Kind.RECALLED, comment=reason, data=data
    )
    return document


@transactions.service
def receipt_confirm_recall(*, receipt: Receipt, actor: User) -> Receipt:
    """A member of a recipient unit confirms that the unit removed the recalled document."""
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("document", "unit")
        .get(pk=receipt.pk)
    )
    ensure_can_confirm_recall(actor, receipt)
    receipt.recall_confirmed_at = timezone.now()
    receipt.recall_confirmed_by = actor
    receipt._history_user = actor  # type: ignore[attr-defined]
    receipt.save(update_fields=["recall_confirmed_at", "recall_confirmed_by"])
    audit.record(
        document=receipt.document,
        actor=actor,
        kind=Event.Kind.RECALL_CONFIRMED,
        data={"unit": receipt.unit.name},
    )
    return receipt


# --- corrections and replacements ------------------------------------------------------


def is_correction_type(document_type) -> bool:
    """A correction is a Công văn: the type without abbreviation named "Công văn"."""
    return not document_type.abbreviation and document_type.name.casefold() == "công văn"


def validate_supersedes(
    *, document_type, corrects: Document | None, replaces: Document | None
) -> None:
    """What a draft may correct or replace: an issued outgoing document (not recalled); a
    correction is a Công văn, a replacement of the same type; not both at once."""
    errors: dict[str, str] = {}
    if corrects is not None and replaces is not None:
        errors["replaces"] = _("Một văn bản không vừa đính chính vừa thay thế văn bản khác.")
    for name, old in (("corrects", corrects), ("replaces", replaces)):
        if old is None or name in errors:
            continue
        if old.origin != Document.Origin.OUTGOING or old.status not in RECALLABLE:
            errors[name] = _("Chỉ văn bản đi đã ban hành (chưa bị thu hồi) được chọn.")
    if corrects is not None and "corrects" not in errors and not is_correction_type(document_type):
        errors["document_type"] = _("Văn bản đính chính phải là Công văn.")
    if (
        replaces is not None
        and "replaces" not in errors
        and replaces.document_type_id != document_type.pk
    ):
        errors["document_type"] = _(
            "Văn bản thay thế phải cùng loại với văn bản bị thay thế (%(type)s)."
        ) % {"type": replaces.document_type.name}
    if errors:
        raise ValidationError(errors)


def ensure_supersedable(document: Document) -> None:
    """A correction or a replacement is signed off and issued only while the document it
    supersedes is still issued (not recalled meanwhile): checked under that document's lock."""
    old_pk = document.corrects_id or document.replaces_id
    if old_pk is None:
        return
    old = Document.objects.select_for_update(of=("self",)).get(pk=old_pk)
    if old.status not in RECALLABLE:
        field = "corrects" if document.corrects_id else "replaces"
        raise ValidationError(
            {
                field: _(
                    "Văn bản %(notation)s đã bị thu hồi: không thể ký, ban hành văn bản "
                    "đính chính hoặc thay thế nó."
                )
                % {"notation": old.notation or old.pk}
            }
        )


def record_superseded(*, document: Document, actor: User) -> Document | None:
    """At the issuance of a correction or a replacement: the old document's trail records
    it (CORRECTED / REPLACED). Returns the old document, or None."""
    old_pk = document.corrects_id or document.replaces_id
    if old_pk is None:
        return None
    old = Document.objects.select_related("document_type").get(pk=old_pk)
    kind = Event.Kind.CORRECTED if document.corrects_id else Event.Kind.REPLACED
    audit.record(
        document=old,
        actor=actor,
        kind=kind,
        data={
            "by": document.pk,
            "notation": document.notation,
            "issued_on": document.issued_on.isoformat() if document.issued_on else "",
        },
    )
    return old


# --- what a page shows --------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A related document as a page names it: its notation and date, a link if visible."""

    document: Document
    may_open: bool


def supersession(
    user: User, document: Document, superseded: bool | None = None
) -> dict[str, list[Link]]:
    """The documents this one corrects or replaces, and the issued ones correcting or
    replacing it, each with whether the person may open it: one query (two when any), none
    when ``superseded`` (read from its trail by the caller) says nothing corrects it."""
    from django.db.models import Q

    from ..selectors import document_list_visible_to

    issued = Q(status__in=Document.ISSUED_STATUSES)
    related_q = Q(corrects_id=document.pk) & issued | Q(replaces_id=document.pk) & issued
    own = [pk for pk in (document.corrects_id, document.replaces_id) if pk is not None]
    if not own and (superseded is False or document.status not in Document.ISSUED_STATUSES):
        return {"corrects": [], "replaces": [], "corrected_by": [], "replaced_by": []}
    if own:
        related_q |= Q(pk__in=own)
    related = list(
        Document.objects.filter(related_q)
        .select_related("document_type")
        .only("pk", "notation", "issued_on", "corrects", "replaces", "status", "document_type")
        .order_by("issued_on", "pk")
    )
    visible: set[int] = set()
    if related:
        visible = set(
            document_list_visible_to(user)
            .filter(pk__in=[d.pk for d in related])
            .values_list("pk", flat=True)
        )

    def links(keep) -> list[Link]:
        return [Link(d, d.pk in visible) for d in related if keep(d)]

    return {
        "corrects": links(lambda d: d.pk == document.corrects_id),
        "replaces": links(lambda d: d.pk == document.replaces_id),
        "corrected_by": links(lambda d: d.corrects_id == document.pk),
        "replaced_by": links(lambda d: d.replaces_id == document.pk),
    }


def recall_context(
    user: User,
    document: Document,
    receipt: Receipt | None = None,
    trail_kinds: set[str] | None = None,
) -> dict:
    """What the recall part of a document's (or a receipt's) page shows: the banner, each
    recipient's confirmation, the person's confirm buttons, the recall button, the links.
    ``trail_kinds``: the kinds of its events when the page has read them (its timeline)."""
    superseded = None
    if trail_kinds is not None:
        superseded = bool(trail_kinds & {Event.Kind.CORRECTED, Event.Kind.REPLACED})
    context: dict[str, object] = {
        "document": document,
        "can_recall": can_recall(user, document),
        # Its drafter may write its correction or replacement (from its page).
        "can_supersede": document.drafter_id == user.pk
        and document.origin == Document.Origin.OUTGOING
        and document.status in RECALLABLE,
        **supersession(user, document, superseded),
    }
    if document.status != Document.Status.RECALLED:
        return context
    receipts = list(
        document.receipts.select_related("unit", "recall_confirmed_by").order_by("unit__name")
    )
    units = set(permissions.unit_ids(user))
    event = document.events.filter(kind=Event.Kind.RECALLED).only("data").order_by("-pk").first()
    confirmable = [r for r in receipts if r.unit_id in units and not r.recall_confirmed_at]
    if receipt is not None:  # a receipt's page: that receipt only
        confirmable = [r for r in confirmable if r.pk == receipt.pk]
    context.update(
        recalled_by=display_name(document.recalled_by) if document.recalled_by_id else "",
        on_instruction_of=(event.data or {}).get("on_instruction_of", "") if event else "",
        recall_receipts=receipts,
        confirmable=confirmable,
    )
    return context
