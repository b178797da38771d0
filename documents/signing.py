"""PAdES digital signatures on issued documents (ký số), made and checked with pyHanko.

Two signatures go on one file, each an incremental update: the signer's at sign-off, over the
document with its number and date still blank; then the agency's at issuance, in the same
revision that fills the number and date into the form fields left for them. Filling form
fields is a change the first signature permits, so both validate."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import ltv, pki
from .rendering.fields import fill_fields, update_info
from .rendering.fonts import SerifFontFactory

BLUE = (0.0, 0.0, 0.75)  # the signer's signature image is blue (Phụ lục I, II.7.d)
RED = (0.85, 0.0, 0.0)  # the agency's seal is red (Phụ lục I, II.8.a)


class SignatureVerificationError(ValueError):
    """The file cannot be read as a PDF, so no signature in it can be checked."""


@dataclass(frozen=True)
class Appearance:
    """What a visible signature shows; %(signer)s and %(time)s are filled in when signing."""

    text: str
    color: tuple[float, float, float]
    border: bool = False
    font_size: float = 9
    align_right: bool = False  # keep clear of the seal that covers the left third


@dataclass(frozen=True)
class SignatureReport:
    """What a verifier needs to know about one signature in a PDF."""

    field_name: str
    signer: str  # certificate subject CN
    organization: str  # certificate subject O
    signing_time: dt.datetime | None
    fingerprint: str  # SHA-256 of the signer's certificate, hex
    intact: bool  # the bytes it covers are unchanged and the signature value checks out
    coverage: str  # "entire_file", or "entire_revision" when later revisions follow
    later_changes: str  # "none", "form_filling", "annotations", "other", …
    changes_permitted: bool  # later revisions only make changes the signature allows
    trusted: bool  # the certificate chains to a configured anchor (at the timestamp for LTV)
    reason: str = ""
    location: str = ""
    timestamp_time: dt.datetime | None = None  # the TSA's time (B-T and above)
    tsa_name: str = ""  # subject CN of the time-stamping authority
    chain: tuple[str, ...] = ()  # subject CNs, root first, signer last
    revocation: str = "unknown"  # "good", "revoked", "unknown"
    revocation_source: str = ""  # "OCSP", "CRL", "" when none was found
    revocation_embedded: bool = False  # the revocation data is in the file (DSS)
    revoked_at: dt.datetime | None = None
    ltv_level: str = "B-B"  # "B-B", "B-T", "B-LT", "B-LTA" as found in the file
    validated_at_timestamp: bool = False  # trusted as of the timestamp (certificate expired)
    document_timestamp_time: dt.datetime | None = None  # B-LTA: the later document timestamp

    @property
    def time(self) -> dt.datetime | None:
        """When it was signed: the timestamp's time if any, else the signer's own claim."""
        return self.timestamp_time or self.signing_time

    @property
    def ok(self) -> bool:
        return (
            self.intact and self.changes_permitted and self.trusted and self.revocation != "revoked"
        )


def signer_appearance() -> Appearance:
    """The signer's signature in ô 7c: who signed and when, in blue."""
    return Appearance(_("Ký bởi: %(signer)s\nThời gian ký:\n%(time)s"), BLUE, align_right=True)


def agency_appearance(organization_name: str) -> Appearance:
    """The agency's signature in ô 8, over the left third of the signer's: red, boxed."""
    name = "\n".join(textwrap.wrap(organization_name.upper().replace("%", "%%"), width=18))
    return Appearance(name + "\n" + _("Ký số:") + "\n%(time)s", RED, border=True, font_size=8)


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: PrivateKeyTypes) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _stamp_style(appearance: Appearance) -> TextStampStyle:
    horizontal = AxisAlignment.ALIGN_MAX if appearance.align_right else AxisAlignment.ALIGN_MID
    return TextStampStyle(
        stamp_text=appearance.text,
        text_box_style=TextBoxStyle(
            font=SerifFontFactory(font_size=appearance.font_size),
            text_color=appearance.color,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=horizontal,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(4),
        ),
        border_width=1 if appearance.border else 0,
        border_color=appearance.color,
    )


def sign_pdf(
    pdf_bytes: bytes,
    *,
    signer: signers.Signer,
    reason: str,
    location: str,
    field_name: str,
    form_values: Mapping[str, str] | None = None,
    document_info: Mapping[str, str] | None = None,
    appearance: Appearance | None = None,
) -> bytes:
    """Add a PAdES baseline (B-B) signature as an incremental update, filling the given form
    fields and setting the given document information entries in the same revision; earlier
    signatures are left untouched (both are changes an approval signature permits).
    The signer is any pyHanko Signer: documents.signers gives the configured one (a
    PKCS#11 token, a remote CSC service, or the demo key files)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        # B-LT/B-LTA (SIGNING['LTV']): embed the chain's revocation data; B-LTA also adds a
        # document timestamp (documents/ltv.py).
        **ltv.metadata_options(chain=list(signer.cert_registry or ())),
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        stamp_style=_stamp_style(appearance) if appearance else None,
        timestamper=ltv.level_timestamper(),  # B-T and above: RFC 3161 signature timestamp
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    if form_values:
        fill_fields(writer, form_values)
    if document_info:
        update_info(writer, document_info)
    now = timezone.localtime().isoformat(timespec="seconds")
    output = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=output, appearance_text_params={"time": now})
    return output.getvalue()


def simple_signer(credentials: pki.Credentials) -> signers.Signer:
    """A Signer for a key held in memory: the demo key files and tests only."""
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(credentials.cert),
        signing_key=_asn1_key(credentials.key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in credentials.chain]),
    )


def sign_with(credentials: pki.Credentials, pdf_bytes: bytes, **kwargs: object) -> bytes:
    """sign_pdf with a key, certificate and chain held in memory (demo and tests)."""
    return sign_pdf(pdf_bytes, signer=simple_signer(credentials), **kwargs)  # type: ignore[arg-type]


def _subject(cert: asn1_x509.Certificate, attribute: str) -> str:
    return str(cert.subject.native.get(attribute, ""))


def _report(
    embedded: EmbeddedPdfSignature,
    anchors: Sequence[x509.Certificate],
    *,
    moment: dt.datetime | None,
    fetch: bool | None,
) -> SignatureReport:
    status, facts = ltv.evaluate(embedded, anchors, moment=moment, fetch=fetch)
    cert = status.signing_cert
    level = status.modification_level
    sig_object = embedded.sig_object
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer=_subject(cert, "common_name"),
        organization=_subject(cert, "organization_name"),
        signing_time=status.signer_reported_dt,
        fingerprint=cert.sha256.hex(),
        intact=bool(status.intact and status.valid),
        coverage=status.coverage.name.lower() if status.coverage else "unclear",
        later_changes=level.name.lower() if level is not None else "unknown",
        changes_permitted=bool(status.docmdp_ok),
        trusted=facts.trusted and facts.revocation.status != "revoked",
        reason=str(sig_object.get("/Reason", "")),
        location=str(sig_object.get("/Location", "")),
        timestamp_time=facts.timestamp_time if facts.timestamp_ok else None,
        tsa_name=facts.tsa_name if facts.timestamp_ok else "",
        chain=facts.chain,
        revocation=facts.revocation.status,
        revocation_source=facts.revocation.source,
        revocation_embedded=facts.revocation.embedded,
        revoked_at=facts.revocation.revoked_at,
        ltv_level=facts.level,
        validated_at_timestamp=facts.validated_at_timestamp,
        document_timestamp_time=(
            facts.document_timestamp_time if facts.document_timestamp_ok else None
        ),
    )


def verify_pdf(
    pdf_bytes: bytes,
    *,
    trust_roots: Sequence[x509.Certificate] | None = None,
    moment: dt.datetime | None = None,
    fetch_revocation: bool | None = None,
) -> list[SignatureReport]:
    """Check every signature in the file: intact, changes after it permitted, trusted by
    the given anchors (default: the configured ones, trust_roots()), revocation status,
    timestamp and PAdES level. `moment` validates as of another time (no fetching then);
    a B-LT/B-LTA signature stays valid after its certificate expired (documents/ltv.py)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:  # pyHanko raises many kinds on a damaged file
        raise SignatureVerificationError(str(error)) from error
    anchors = list(trust_roots) if trust_roots is not None else ltv.load_trust_anchors()
    return [
        _report(signature, anchors, moment=moment, fetch=fetch_revocation) for signature in embedded
    ]


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, hex, as verify_pdf reports it."""
    return cert.fingerprint(hashes.SHA256()).hex()


# --- Keys from settings.SIGNING ------------------------------------------------------------


def _config() -> Mapping[str, object]:
    return settings.SIGNING


def trust_roots() -> list[x509.Certificate]:
    """The CA certificates trusted when verifying: settings.SIGNING['CA_CERT'] and
    SIGNING['TRUST_ANCHORS'] (files or directories), missing files left out."""
    return ltv.load_trust_anchors()


# Whose key signs (a PKCS#11 token, a remote CSC service, or the demo key files that
# signer_credentials and agency_credentials used to read) is documents.signers' business.
