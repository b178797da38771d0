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
from pathlib import Path

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
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import pki
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
    trusted: bool  # the certificate chains to a configured CA
    reason: str = ""
    location: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.changes_permitted and self.trusted


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
    signer_key: PrivateKeyTypes,
    signer_cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    reason: str,
    location: str,
    field_name: str,
    form_values: Mapping[str, str] | None = None,
    document_info: Mapping[str, str] | None = None,
    appearance: Appearance | None = None,
) -> bytes:
    """Add a PAdES baseline (B-B) signature as an incremental update, filling the given form
    fields and setting the given document information entries in the same revision; earlier
    signatures are left untouched (both are changes an approval signature permits)."""
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(signer_cert),
        signing_key=_asn1_key(signer_key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, stamp_style=_stamp_style(appearance) if appearance else None
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


def sign_with(credentials: pki.Credentials, pdf_bytes: bytes, **kwargs: object) -> bytes:
    """sign_pdf with a key, certificate and chain loaded together."""
    return sign_pdf(
        pdf_bytes,
        signer_key=credentials.key,
        signer_cert=credentials.cert,
        chain=credentials.chain,
        **kwargs,  # type: ignore[arg-type]
    )


def _subject(cert: asn1_x509.Certificate, attribute: str) -> str:
    return str(cert.subject.native.get(attribute, ""))


def _report(embedded: object, context: ValidationContext) -> SignatureReport:
    status = validate_pdf_signature(embedded, context)  # type: ignore[arg-type]
    cert = status.signing_cert
    level = status.modification_level
    sig_object = embedded.sig_object  # type: ignore[attr-defined]
    return SignatureReport(
        field_name=str(embedded.field_name),  # type: ignore[attr-defined]
        signer=_subject(cert, "common_name"),
        organization=_subject(cert, "organization_name"),
        signing_time=status.signer_reported_dt,
        fingerprint=cert.sha256.hex(),
        intact=bool(status.intact and status.valid),
        coverage=status.coverage.name.lower() if status.coverage else "unclear",
        later_changes=level.name.lower() if level is not None else "unknown",
        changes_permitted=bool(status.docmdp_ok),
        trusted=bool(status.trusted),
        reason=str(sig_object.get("/Reason", "")),
        location=str(sig_object.get("/Location", "")),
    )


def verify_pdf(
    pdf_bytes: bytes, *, trust_roots: Sequence[x509.Certificate]
) -> list[SignatureReport]:
    """Check every signature in the file: intact, changes after it permitted, and trusted."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:  # pyHanko raises many kinds on a damaged file
        raise SignatureVerificationError(str(error)) from error
    context = ValidationContext(
        trust_roots=[_asn1_cert(root) for root in trust_roots], allow_fetching=False
    )
    return [_report(signature, context) for signature in embedded]


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, hex, as verify_pdf reports it."""
    return cert.fingerprint(hashes.SHA256()).hex()


# --- Keys from settings.SIGNING ------------------------------------------------------------


def _config() -> Mapping[str, object]:
    return settings.SIGNING


def trust_roots() -> list[x509.Certificate]:
    """The CA certificates trusted when verifying (settings.SIGNING['CA_CERT'])."""
    return pki.load_certificates(Path(str(_config()["CA_CERT"])))


def signer_credentials(username: str) -> pki.Credentials:
    """A signer's key and certificate: <SIGNER_KEYS_DIR>/<username>.key.pem and .crt.pem."""
    directory = Path(str(_config()["SIGNER_KEYS_DIR"]))
    return pki.load(
        key_path=directory / f"{username}.key.pem",
        cert_path=directory / f"{username}.crt.pem",
        passphrase=str(_config().get("KEY_PASSPHRASE", "")),
    )


def agency_credentials() -> pki.Credentials:
    """The agency's key and certificate (chữ ký số cơ quan, in place of the seal)."""
    config = _config()
    return pki.load(
        key_path=Path(str(config["AGENCY_KEY"])),
        cert_path=Path(str(config["AGENCY_CERT"])),
        passphrase=str(config.get("KEY_PASSPHRASE", "")),
    )
