"""Signing with the leader's USB token in their own browser (signing mode "client").

pyHanko's interrupted signing: at sign-off the job renders the PDF, adds the signature
field, its appearance and a placeholder (the same as documents.signing.sign_pdf), and
computes the CMS signed attributes over the document's digest (`prepare`). Those attributes
(DER) are what the token signs: the page fetches them, hands them to the signing service on
the leader's computer (SIGNING["CLIENT_SERVICE_URL"], docs/signing.md) and posts the
signature value back. `finish` puts the CMS together around it, embeds it in the placeholder
(`PdfTBSDocument.finish_signing`, with the configured timestamp and revocation data) and
checks the result like any signed PDF (documents.signing.verify_pdf) before anyone stores
it: intact, trusted, and made with the registered certificate.

The server holds the signer's certificate only, never the key.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers as pyhanko_signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument, PostSignInstructions
from pyhanko_certvalidator.errors import PathError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import ltv, signing
from .models import PendingSignature

logger = logging.getLogger(__name__)

DIGEST = "sha256"
DEFAULT_SERVICE_URL = "http://127.0.0.1:8787/sign"
# Room for the signature value in the CMS the placeholder is sized for: an RSA-4096
# signature; smaller keys (RSA-2048, ECDSA) leave part of it unused.
SIGNATURE_ROOM = 512
PRESIGN_FIELD = "VanThuPresignCheck"  # a field of a throwaway copy, never written
MAX_SIGNATURE_SIZE = 2048  # bytes of a signature value accepted from the browser


def service_url() -> str:
    """Where the page asks the signing service on the leader's computer to sign."""
    return str(settings.SIGNING.get("CLIENT_SERVICE_URL") or DEFAULT_SERVICE_URL)


@dataclass(frozen=True)
class Prepared:
    """A PDF in its final state before signing, and what its signature must cover."""

    pdf: bytes  # with the signature placeholder
    document_digest: bytes
    reserved_start: int
    reserved_end: int
    signed_attributes: bytes  # DER of the CMS signed attributes: what the token signs


def _asn1(cert: x509.Certificate):
    return ltv.asn1(cert)


def _external_signer(
    certificates: Sequence[x509.Certificate], signature: bytes | int
) -> pyhanko_signers.ExternalSigner:
    return pyhanko_signers.ExternalSigner(
        signing_cert=_asn1(certificates[0]),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in certificates[1:]]),
        signature_value=signature,
    )


def _metadata(
    certificates: Sequence[x509.Certificate], *, reason: str, location: str, field_name: str
) -> pyhanko_signers.PdfSignatureMetadata:
    # As documents.signing.sign_pdf: PAdES, SHA-256, the configured long-term level.
    return pyhanko_signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm=DIGEST,
        subfilter=SigSeedSubFilter.PADES,
        **ltv.metadata_options(chain=list(certificates[1:])),
    )


def prepare(
    pdf_bytes: bytes,
    *,
    certificates: Sequence[x509.Certificate],
    reason: str,
    location: str,
    field_name: str,
    appearance: signing.Appearance | None = None,
) -> Prepared:
    """The PDF with its signature field, appearance and placeholder, and the signed
    attributes the signer's token must sign (the signer's certificate first, then its
    chain). Raises SigningError or ValueError when pyHanko cannot prepare it."""
    signer = _external_signer(certificates, SIGNATURE_ROOM)
    pdf_signer = pyhanko_signers.PdfSigner(
        _metadata(certificates, reason=reason, location=location, field_name=field_name),
        signer=signer,
        stamp_style=signing._stamp_style(appearance) if appearance else None,
        timestamper=ltv.level_timestamper(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    now = timezone.localtime().isoformat(timespec="seconds")

    async def run() -> Prepared:
        digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, appearance_text_params={"time": now}
        )
        attributes = await signer.signed_attrs(digest.document_digest, DIGEST, use_pades=True)
        output.seek(0)
        return Prepared(
            pdf=output.read(),
            document_digest=digest.document_digest,
            reserved_start=digest.reserved_region_start,
            reserved_end=digest.reserved_region_end,
            signed_attributes=attributes.dump(),
        )

    return asyncio.run(run())


def certificates_pem(certificates: Sequence[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


def certificate_sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def request_for(pending: PendingSignature) -> dict[str, str]:
    """What the page sends the signing service (docs/signing.md: the adapter contract)."""
    return {
        "data": base64.b64encode(bytes(pending.signed_attributes)).decode(),
        "digest": pending.digest_algorithm,
        "certificate_sha256": pending.certificate_sha256,
    }


# --- finishing ------------------------------------------------------------------------


def decode_signature(value: object) -> bytes:
    """The signature value the page posts (base64); ValidationError when it is not one."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("Không nhận được chữ ký số từ thiết bị; vui lòng ký lại."))
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            _("Chữ ký số nhận được không đúng định dạng (base64); vui lòng ký lại.")
        ) from exc
    if not raw or len(raw) > MAX_SIGNATURE_SIZE:
        raise ValidationError(_("Chữ ký số nhận được không hợp lệ; vui lòng ký lại."))
    return raw


def _check_value(cert: x509.Certificate, data: bytes, signature: bytes) -> None:
    """The value is the registered key's signature over the data (a plain check first,
    for a clear message: a token with another certificate, or garbage)."""
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise ValidationError(
                _("Loại khoá của chứng thư số đã đăng ký chưa được hỗ trợ khi ký bằng thiết bị.")
            )
    except InvalidSignature as exc:
        raise ValidationError(
            _(
                "Chữ ký số không khớp với chứng thư số đã đăng ký của người ký (ký bằng thiết "
                "bị hoặc chứng thư khác?); chưa lưu gì. Cắm đúng thiết bị ký số và ký lại."
            )
        ) from exc


def _post_sign_instructions(
    pending: PendingSignature, certificates: Sequence[x509.Certificate], metadata
) -> PostSignInstructions | None:
    """B-LT and B-LTA: the chain's revocation data (fetched now) for the DSS, and the
    document timestamp for B-LTA, as pyHanko's PdfSigner would have added them."""
    if not metadata.embed_validation_info:
        return None
    # pyHanko's own pre-signing validation, in a session over a throwaway copy (its new
    # field is never written); not given the writer: the prepared file's placeholder is
    # not a signature to read, and a freshly rendered document has no earlier timestamp
    # chain to extend.
    pdf_signer = pyhanko_signers.PdfSigner(
        metadata, signer=_external_signer(certificates, SIGNATURE_ROOM)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pending.pdf)), strict=False)
    session = pdf_signer.init_signing_session(writer)
    validation_info = asyncio.run(session.perform_presign_validation(None))
    if validation_info is None:
        return None
    return PostSignInstructions(
        validation_info=validation_info,
        timestamper=ltv.timestamper() if metadata.use_pades_lta else None,
        timestamp_md_algorithm=DIGEST,
        strict=False,
    )


def finish(pending: PendingSignature, signature: bytes) -> bytes:
    """The signed PDF: the CMS around the signature value embedded in the prepared file,
    then checked. ValidationError (nothing changed) when the value is not the registered
    key's signature, or the signed PDF does not verify."""
    certificates = x509.load_pem_x509_certificates(pending.certificates.encode())
    data = bytes(pending.signed_attributes)
    _check_value(certificates[0], data, signature)
    signer = _external_signer(certificates, signature)
    output = io.BytesIO(bytes(pending.pdf))
    try:
        metadata = _metadata(certificates, reason="", location="", field_name=PRESIGN_FIELD)
        signed_attributes = cms.CMSAttributes.load(data)
        signature_cms = asyncio.run(
            signer.async_sign_prescribed_attributes(
                pending.digest_algorithm,
                signed_attrs=signed_attributes,
                timestamper=ltv.level_timestamper(),
            )
        )
        PdfTBSDocument.finish_signing(
            output,
            PreparedByteRangeDigest(
                document_digest=bytes(pending.document_digest),
                reserved_region_start=pending.reserved_start,
                reserved_region_end=pending.reserved_end,
            ),
            signature_cms,
            post_sign_instr=_post_sign_instructions(pending, certificates, metadata),
            validation_context=metadata.validation_context,
        )
    except (
        SigningError,
        ValueError,
        OSError,
        PathError,
        CertValidationError,
        ImproperlyConfigured,
    ) as exc:
        # A TSA or OCSP answer that does not validate, a level without a TSA: the token's
        # signature is not stored; the signer signs again once it is mended.
        logger.warning("finishing the signature of document %s: %r", pending.document_id, exc)
        raise ValidationError(
            _("Không hoàn tất được chữ ký số (%(reason)s); chưa lưu gì, vui lòng ký lại.")
            % {"reason": exc}
        ) from exc
    pdf = output.getvalue()
    _verify(pdf, pending.certificate_sha256)
    return pdf


def _verify(pdf: bytes, fingerprint: str) -> None:
    """The last signature is intact, trusted and made with the registered certificate."""
    try:
        reports = signing.verify_pdf(pdf)
    except signing.SignatureVerificationError as exc:
        raise ValidationError(
            _("Bản PDF sau khi ký không đọc được; chưa lưu gì (%(reason)s).") % {"reason": exc}
        ) from exc
    report = reports[-1] if reports else None
    if report is None or not report.intact:
        raise ValidationError(
            _("Chữ ký số không hợp lệ với văn bản; chưa lưu gì, vui lòng ký lại.")
        )
    if report.fingerprint != fingerprint:
        raise ValidationError(
            _("Chữ ký số không được tạo bằng chứng thư số đã đăng ký của người ký; chưa lưu gì.")
        )
    if not report.trusted:
        raise ValidationError(
            _(
                "Chứng thư số của người ký không được tin cậy (không thuộc các CA đã cấu hình, "
                "hết hạn hoặc bị thu hồi); chưa lưu gì. Liên hệ quản trị hệ thống."
            )
        )
