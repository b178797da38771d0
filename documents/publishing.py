"""The signed originals: the signer's PAdES signature at sign-off, the agency's at issuance.

At sign-off the document is rendered with blanks for its number and date and signed by the
signer. At issuance the văn thư fills those blanks, and adds the number, notation and date to
the document information, with the agency's signature in one incremental update, so the
signer's signature stays valid (form filling and /Info updates are permitted changes).

A file is written before its row, so a row never lacks its file; a file whose transaction
rolls back is deleted again (_UncommittedFile), and one left by a process killed before
its commit is found by `manage.py clean_orphan_files`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import weakref
from typing import TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError

from . import client_signing, signers, signing
from .models import Document, PendingSignature, Rendition
from .rendering import document_parts, render_pdf, slots
from .rendering import fields as pdf_fields
from .rendering import metadata as pdf_metadata

# What leaves the office is in Vietnamese, whatever language the person works in.
DOCUMENT_LANGUAGE = "vi"

logger = logging.getLogger(__name__)


def _delete_unless_committed(storage: Storage, name: str, state: dict[str, bool]) -> None:
    if state["committed"]:
        return
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not delete %s, written by a rolled-back transaction", name)


class _UncommittedFile:
    """A file written inside a transaction, deleted again if the transaction rolls back.

    Django has no on-rollback hook, but it runs an on_commit callback on commit and drops it
    unrun on rollback (of the transaction, or of the savepoint it was registered in). This
    object is held only by the callback it registers, so it is collected either way; its
    finaliser deletes the file unless the callback ran."""

    def __init__(self, storage: Storage, name: str) -> None:
        self._state = {"committed": False}
        weakref.finalize(self, _delete_unless_committed, storage, name, self._state)
        transaction.on_commit(self._committed)

    def _committed(self) -> None:
        self._state["committed"] = True


def _store(document: Document, kind: str, pdf: bytes) -> Rendition:
    rendition = Rendition(
        document=document, kind=kind, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
    )
    try:
        rendition.file.save(f"{document.pk}-{kind}.pdf", ContentFile(pdf), save=False)
    except OSError as exc:
        logger.exception("could not write the %s PDF of document %s", kind, document.pk)
        raise ValidationError(
            _(
                "Không ghi được tệp văn bản vào kho lưu trữ; chưa có gì thay đổi. Liên hệ quản "
                "trị hệ thống (%(reason)s)."
            )
            % {"reason": exc.strerror or exc}
        ) from exc
    _UncommittedFile(rendition.file.storage, rendition.file.name)
    rendition.save()
    return rendition


def sign_off_rendition(*, document: Document, actor: User) -> Rendition:
    """Render the signed-off content and sign it with the signer's own certificate."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _sign_off_rendition(document=document, actor=actor)


def issue_rendition(*, document: Document) -> Rendition:
    """Fill the number and date into the signed PDF and add the agency's signature."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _issue_rendition(document=document)


def _sign_off_content(document: Document) -> bytes:
    buffer = io.BytesIO()
    render_pdf(document, buffer, draft_mark=False)
    return buffer.getvalue()


class _Signature(TypedDict):
    reason: str
    location: str
    field_name: str
    appearance: signing.Appearance


def _sign_off_signature(document: Document) -> _Signature:
    """Where and how the signer's signature goes (the same whoever holds the key)."""
    return {
        "reason": _("Ký duyệt"),
        "location": document.place or document.organization.place,
        "field_name": slots.SIGNATURE,
        "appearance": signing.signer_appearance(),
    }


def _sign_off_rendition(*, document: Document, actor: User) -> Rendition:
    pdf = _sign_off_content(document)
    with signers.signing_as(actor) as signer:  # refuses (ValidationError) when it cannot sign
        pdf = signing.sign_pdf(pdf, signer=signer, **_sign_off_signature(document))
    return _store(document, Rendition.Kind.SIGNED_OFF, pdf)


def prepare_sign_off(*, document: Document, actor: User) -> PendingSignature:
    """Signing mode "client": render the signed-off content and prepare it for the
    signer's own device (documents.client_signing), kept until they sign in the browser.
    ValidationError when their registered certificate is missing or not valid now."""
    certificates = signers.client_certificates(actor)
    with translation.override(DOCUMENT_LANGUAGE):
        try:
            prepared = client_signing.prepare(
                _sign_off_content(document),
                certificates=certificates,
                **_sign_off_signature(document),
            )
        except (SigningError, ValueError) as exc:
            logger.warning("preparing the signature of document %s: %r", document.pk, exc)
            raise ValidationError(
                _("Không chuẩn bị được văn bản để ký bằng thiết bị (%(reason)s).") % {"reason": exc}
            ) from exc
    return PendingSignature.objects.create(
        document=document,
        kind=Rendition.Kind.SIGNED_OFF,
        signer=actor,
        pdf=prepared.pdf,
        document_digest=prepared.document_digest,
        reserved_start=prepared.reserved_start,
        reserved_end=prepared.reserved_end,
        signed_attributes=prepared.signed_attributes,
        digest_algorithm=client_signing.DIGEST,
        certificates=client_signing.certificates_pem(certificates),
        certificate_sha256=client_signing.certificate_sha256(certificates[0]),
    )


def finish_sign_off(*, pending: PendingSignature, signature: bytes) -> Rendition:
    """Signing mode "client": the signature value from the signer's device embedded in the
    prepared PDF, checked, and stored as the signed-off original; the preparation is done
    with. ValidationError (nothing stored) when the signature is not right."""
    pdf = client_signing.finish(pending, signature)
    rendition = _store(pending.document, Rendition.Kind.SIGNED_OFF, pdf)
    pending.delete()
    return rendition


def signed_off_pdf(document: Document) -> bytes:
    """The PDF the signer signed, read back and checked against its recorded hash; refuses
    (ValidationError) when it is not made yet, unreadable or altered."""
    signed_off = document.renditions.filter(kind=Rendition.Kind.SIGNED_OFF).first()
    if signed_off is None:
        raise ValidationError(
            _("Bản ký duyệt có chữ ký số đang được tạo; vui lòng thử lại sau ít phút.")
        )
    try:
        with signed_off.file.open("rb") as handle:
            pdf = handle.read()
    except OSError as exc:
        logger.exception("could not read the signed-off PDF of document %s", document.pk)
        raise ValidationError(
            _("Không đọc được bản PDF đã ký duyệt trong kho lưu trữ; liên hệ quản trị hệ thống.")
        ) from exc
    if hashlib.sha256(pdf).hexdigest() != signed_off.sha256:
        raise ValidationError(_("Bản PDF đã ký duyệt không còn nguyên vẹn; không thể ban hành."))
    return pdf


def _issue_rendition(*, document: Document) -> Rendition:
    number, issued_on = document.number, document.issued_on
    if number is None or issued_on is None:
        # A programming error, not a refusal: document_issue sets both before calling this.
        raise ValueError(f"document {document.pk} has no number and date to fill in yet")
    pdf = signed_off_pdf(document)
    try:
        values = pdf_fields.issue_values(pdf, notation=document.notation, issued_on=issued_on)
    except ValueError as exc:
        raise ValidationError(
            _("Không thể điền số, ngày vào bản đã ký: %(reason)s. Cần ký duyệt lại.")
            % {"reason": exc}
        ) from exc
    info = pdf_metadata.issue_info(
        document_parts(document, draft_mark=False),
        number=document.notation.partition("/")[0],
        notation=document.notation,
        issued_on=issued_on,
    )
    with signers.signing_as(None) as agency:  # the agency's key; refuses when unusable
        issued = signing.sign_pdf(
            pdf,
            signer=agency,
            reason=_("Ban hành"),
            location=document.place or document.organization.place,
            field_name=slots.AGENCY_SIGNATURE,
            form_values=values,
            document_info=info,
            appearance=signing.agency_appearance(document.names().issuer_name),
        )
    return _store(document, Rendition.Kind.ISSUED, issued)
