"""The signed originals, made off the request.

A step that calls for a signed original (sign-off: the signer's signature; issuance: the
number, the date and the agency's signature) is done at once; the PDF is rendered and signed
by a background job (documents.tasks.make_signed_original, on a Celery worker, or in-process
after the commit where no broker is configured), which records the outcome in the trail. The
workflow does not go past a step whose original is missing: issuing needs the signed-off
original, acknowledging the issued one (``ensure_*`` below, called by the services). What
the job cannot cure by running again (no certificate, an altered PDF) is recorded as a
failure; the people who may act on the document ask for it again once it is mended.

The job is safe to run twice and at any time: it locks the document, and returns when the
original exists already or the document no longer wants it.

A signer whose key is on the device in their own browser (signing mode "client",
docs/signing.md) signs the signed-off original there: the job prepares the PDF and the
document waits for them ("Chờ người ký ký số bằng thiết bị"), issuance refused meanwhile;
`sign_on_device` finishes, checks and stores it when their signature comes back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import audit, client_signing, permissions, publishing, signers
from .models import Document, Event, PendingSignature, Rendition

logger = logging.getLogger(__name__)

SIGNED_OFF, ISSUED = Rendition.Kind.SIGNED_OFF, Rendition.Kind.ISSUED
# The state from which a document calls for each original.
WANTED_FROM = {
    SIGNED_OFF: (Document.Status.SIGNED, Document.Status.ISSUED, Document.Status.ARCHIVED),
    ISSUED: (Document.Status.ISSUED, Document.Status.ARCHIVED),
}


def wanted(document: Document) -> list[str]:
    """The originals the document's state calls for, in the order they are made."""
    if document.origin != Document.Origin.OUTGOING:
        return []
    return [kind for kind in (SIGNED_OFF, ISSUED) if document.status in WANTED_FROM[kind]]


AWAITING_DEVICE_REFUSAL = _lazy(
    "Chờ người ký ký số bằng thiết bị: người ký cần mở trang văn bản và ký số bằng thiết bị "
    "ký số (USB token) của mình; chưa thể ban hành."
)


# --- before a step: refuse what the job could not do, and what is not made yet -------------


def ensure_signer_can_sign(signer: User) -> None:
    """The signer's key can be reached: their certificate file (demo), their token opens
    with its PIN and holds the key, or the remote signing service answers. Checked when
    they approve, not later by the job."""
    signers.check_signer(signer)


def ensure_ready_to_issue(document: Document) -> None:
    """The signed-off original is made and intact, and the agency can sign."""
    if awaiting_device(document) is not None:
        raise ValidationError(AWAITING_DEVICE_REFUSAL)
    publishing.signed_off_pdf(document)
    signers.check_signer(None)


def ensure_issued_original(document: Document) -> None:
    """Recipients acknowledge a document whose issued original exists."""
    if not document.renditions.filter(kind=ISSUED).exists():
        raise PermissionDenied(
            _("Bản phát hành có chữ ký số đang được tạo; vui lòng xác nhận sau ít phút.")
        )


def record_made(document: Document, rendition: Rendition) -> None:
    """The trail's record of an original's making, with its SHA-256: the hash that
    documents.trail believes (the first such record) when the file is served or verified."""
    audit.record(
        document=document,
        actor=None,
        kind=Event.Kind.RENDERED,
        data={"rendition": rendition.kind, "pdf_sha256": rendition.sha256},
    )


# --- the job ------------------------------------------------------------------------


def make_signed_original(*, document_id: int, kind: str) -> Rendition | None:
    """Render and sign one original of the document, once. Returns it, or None when the
    document does not call for it, the job failed (the failure is in the trail), or the
    signer signs it with their own device (mode "client": prepared here, then waiting)."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("organization", "document_type", "signer")
            .filter(pk=document_id)
            .first()
        )
        if document is None or kind not in wanted(document):
            return None
        done = document.renditions.filter(kind=kind).first()
        if done is not None:
            return done  # made by an earlier run of the same job
        try:
            if kind == SIGNED_OFF:
                assert document.signer is not None  # a signed-off document has its signer
                if signers.is_client(document.signer):
                    # Signed in the signer's browser (mode "client"): prepared here, finished
                    # by sign_on_device when they sign; the page says it waits for them.
                    if awaiting_device(document) is None:
                        publishing.prepare_sign_off(document=document, actor=document.signer)
                    return None
                rendition = publishing.sign_off_rendition(document=document, actor=document.signer)
            else:
                rendition = publishing.issue_rendition(document=document)
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            logger.warning("signed original %s of document %s: %s", kind, document_id, reason)
            audit.record(
                document=document,
                actor=None,
                kind=Event.Kind.RENDER_FAILED,
                data={"rendition": kind, "error": reason},
            )
            return None
        record_made(document, rendition)
        return rendition


# --- what the page shows, and asking again --------------------------------------------


@dataclass(frozen=True)
class Pending:
    """An original the document calls for and does not have yet."""

    kind: str
    failure: str  # why the last try failed; "" while it is being made
    awaiting_device: bool = False  # prepared; the signer signs with their device (mode client)
    signer_id: int | None = None  # who must sign, when awaiting_device

    @property
    def failed(self) -> bool:
        return bool(self.failure)


def pending(document: Document, made: set[str] | None = None) -> Pending | None:
    """The first original the document calls for and lacks (``made``: the kinds it has,
    read here when the caller has not read its renditions already)."""
    if made is None:
        made = set(document.renditions.values_list("kind", flat=True))
    missing = [kind for kind in wanted(document) if kind not in made]
    if not missing:
        return None
    kind = missing[0]
    if kind == SIGNED_OFF:
        waiting = awaiting_device(document)
        if waiting is not None:
            return Pending(kind=kind, failure="", awaiting_device=True, signer_id=waiting.signer_id)
    last = (
        document.events.filter(
            kind__in=(Event.Kind.RENDER_FAILED, Event.Kind.RENDER_REQUESTED), data__rendition=kind
        )
        .order_by("-pk")
        .first()
    )
    failure = ""
    if last is not None and last.kind == Event.Kind.RENDER_FAILED:
        failure = str(last.data.get("error", "")) or _("Không rõ lý do.")
    return Pending(kind=kind, failure=failure)


def can_request_again(user: User, document: Document, kind: str) -> bool:
    """The signed-off original: its signer or a văn thư; the issued one: a văn thư."""
    if kind == SIGNED_OFF and document.signer_id == user.pk and permissions.is_signer(user):
        return True
    return permissions.is_clerk(user)


def request_again(*, document: Document, actor: User) -> str:
    """Ask for a failed original again (after the certificate or the storage is mended).
    Returns its kind; the job runs after the commit."""
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
        state = pending(document)
        if state is None or not state.failed:
            raise PermissionDenied(_("Không có bản gốc nào cần tạo lại."))
        if not can_request_again(actor, document, state.kind):
            raise PermissionDenied(_("Bạn không có quyền yêu cầu tạo lại bản gốc này."))
        audit.record(
            document=document,
            actor=actor,
            kind=Event.Kind.RENDER_REQUESTED,
            data={"rendition": state.kind},
        )
        enqueue(document, state.kind)
    return state.kind


def overdue(*, now: datetime, after: timedelta, within: timedelta) -> list[tuple[int, str]]:
    """(document, kind) of the originals still missing ``after`` their step and not failed:
    a job lost with a worker killed outright (its message is handed out again only after the
    broker's visibility timeout). Steps older than ``within`` are left alone (an office looks
    at them): the search reads the recent steps only, by their index, whatever the archive."""
    found: list[tuple[int, str]] = []
    steps = {
        SIGNED_OFF: Document.objects.filter(
            status__in=WANTED_FROM[SIGNED_OFF],
            signed_off_at__lt=now - after,
            signed_off_at__gte=now - within,
        ),
        ISSUED: Document.objects.filter(
            status__in=WANTED_FROM[ISSUED],
            issued_on__gte=(now - within).date(),
            events__kind=Event.Kind.ISSUED,
            events__created_at__lt=now - after,
        ),
    }
    for kind, documents in steps.items():
        lacking = (
            documents.filter(origin=Document.Origin.OUTGOING)
            .exclude(renditions__kind=kind)
            .distinct()
        )
        for document in lacking:
            state = pending(document)
            if state is None or state.kind != kind or state.failed or state.awaiting_device:
                continue  # made, failed (an office acts), or waiting for the signer's device
            found.append((document.pk, kind))
    return found


# --- signing mode "client": the signer's own device, in their browser --------------------


def awaiting_device(document: Document) -> PendingSignature | None:
    """The signed-off original prepared for the signer's device and not signed yet."""
    return document.pending_signatures.filter(kind=SIGNED_OFF).first()


NOTHING_TO_SIGN = "nothing_to_sign"


def _pending_for(document: Document, actor: User) -> PendingSignature:
    """What the actor must sign on the document: PermissionDenied for anyone but its
    signer, ValidationError (code NOTHING_TO_SIGN) when nothing waits for a signature."""
    if document.signer_id != actor.pk:
        raise PermissionDenied(_("Chỉ người ký của văn bản mới ký số văn bản này."))
    pending_signature = awaiting_device(document)
    if pending_signature is None:
        if document.renditions.filter(kind=SIGNED_OFF).exists():
            message = _("Văn bản đã được ký số; không cần ký lại.")
        else:
            message = _("Văn bản không chờ ký số bằng thiết bị.")
        raise ValidationError(message, code=NOTHING_TO_SIGN)
    if pending_signature.signer_id != actor.pk:
        raise PermissionDenied(_("Chỉ người ký của văn bản mới ký số văn bản này."))
    return pending_signature


def data_to_sign(*, document: Document, actor: User) -> dict[str, str]:
    """What the signer's page hands their signing service (docs/signing.md)."""
    return client_signing.request_for(_pending_for(document, actor))


def sign_on_device(*, document: Document, actor: User, signature: object) -> Rendition:
    """The signer's signature value (base64) from their device: the signed-off original is
    finished, checked and stored, and recorded as the job records it. Refuses, nothing
    stored: PermissionDenied (not the signer), ValidationError (a bad signature, nothing
    waiting)."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("organization", "document_type", "signer")
            .get(pk=document.pk)
        )
        pending_signature = _pending_for(document, actor)
        value = client_signing.decode_signature(signature)
        pending_signature.document = document
        rendition = publishing.finish_sign_off(pending=pending_signature, signature=value)
        record_made(document, rendition)
        return rendition


def enqueue(document: Document, kind: str) -> None:
    """The job that makes this original, after the step's commit."""
    from config import jobs

    from . import tasks

    jobs.after_commit(tasks.make_signed_original, document.pk, kind)
