"""Signing at the configured level: the timestamper and pyHanko's signature metadata."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator import ValidationContext

from .config import (
    B_B,
    B_LT,
    B_LTA,
    TSA_TIMEOUT,
    LtvConfigurationError,
    _trust_manager,
    asn1,
    level,
    load_trust_anchors,
    tsa_url,
)

logger = logging.getLogger(__name__)


def timestamper(url: str | None = None) -> timestamps.HTTPTimeStamper | None:
    url = tsa_url() if url is None else url
    return timestamps.HTTPTimeStamper(url, timeout=TSA_TIMEOUT) if url else None


def metadata_options(
    signing_level: str | None = None,
    *,
    anchors: Sequence[x509.Certificate | asn1_x509.Certificate] | None = None,
    chain: Sequence[x509.Certificate | asn1_x509.Certificate] = (),
) -> dict[str, Any]:
    """Extra PdfSignatureMetadata arguments for a level: for B-LT and B-LTA the revocation
    data of the signer's chain is fetched (from the URLs in the certificates) and embedded;
    B-LTA adds a document timestamp after the signature."""
    signing_level = signing_level or level()
    if signing_level not in (B_LT, B_LTA):
        return {}
    anchors = load_trust_anchors() if anchors is None else anchors
    context = ValidationContext(
        trust_manager=_trust_manager(anchors),
        other_certs=[asn1(c) for c in chain],
        allow_fetching=True,
    )
    return {
        "embed_validation_info": True,
        "validation_context": context,
        "use_pades_lta": signing_level == B_LTA,
    }


def signature_metadata(
    *,
    field_name: str,
    reason: str = "",
    location: str = "",
    signing_level: str | None = None,
    anchors: Sequence[x509.Certificate | asn1_x509.Certificate] | None = None,
    chain: Sequence[x509.Certificate | asn1_x509.Certificate] = (),
) -> signers.PdfSignatureMetadata:
    """PAdES metadata for a signature at the given (default: configured) level."""
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        **metadata_options(signing_level, anchors=anchors, chain=chain),
    )


def sign(
    pdf_bytes: bytes,
    signer: signers.Signer,
    *,
    field_name: str,
    reason: str = "",
    location: str = "",
    signing_level: str | None = None,
    tsa: str | None = None,
    anchors: Sequence[x509.Certificate | asn1_x509.Certificate] | None = None,
) -> bytes:
    """Sign with any pyHanko Signer at a level, as an incremental update (no appearance,
    no form filling: documents.signing.sign_pdf does those for the documents)."""
    signing_level = signing_level or level()
    stamper = timestamper(tsa) if signing_level != B_B else None
    if signing_level != B_B and stamper is None:
        raise LtvConfigurationError(f"{signing_level} needs a time-stamping authority URL")
    chain = list(signer.cert_registry) if signer.cert_registry is not None else []
    metadata = signature_metadata(
        field_name=field_name,
        reason=reason,
        location=location,
        signing_level=signing_level,
        anchors=anchors,
        chain=chain,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    output = io.BytesIO()
    signers.PdfSigner(metadata, signer=signer, timestamper=stamper).sign_pdf(writer, output=output)
    return output.getvalue()


def level_timestamper() -> timestamps.HTTPTimeStamper | None:
    """The configured TSA when the configured level wants a timestamp (B-T and above)."""
    return timestamper() if level() != B_B else None
