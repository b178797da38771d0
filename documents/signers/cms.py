"""Small blobs (the audit trail's checkpoints): detached CMS SignedData."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from .config import DIGEST
from .core import refusing

logger = logging.getLogger(__name__)


def _subject(signer: Signer) -> str:
    cert = signer.signing_cert
    return cert.subject.human_friendly if cert is not None else "?"


def sign_data(signer: Signer, data: bytes) -> bytes:
    """A detached CMS SignedData (DER) over the bytes, e.g. an audit checkpoint signed with
    agency_signer(). Failures become ValidationError, as for a PDF."""
    with refusing(signer, _subject(signer)):
        content_info = asyncio.run(signer.async_sign_general_data(data, DIGEST, detached=True))
    return bytes(content_info.dump())


def verify_data(
    cms_der: bytes, data: bytes, trust_roots: Sequence[x509.Certificate]
) -> tuple[bool, str]:
    """Check a detached CMS signature made by sign_data: (the bytes are the signed ones, the
    signature checks out and the certificate chains to one of the roots; who signed, the
    certificate's subject). An unreadable signature is (False, "")."""
    try:
        content_info = cms.ContentInfo.load(cms_der)
        if content_info["content_type"].native != "signed_data":
            return False, ""
        signed_data = content_info["content"]
        signed_data.native  # noqa: B018 -- parses it all now, so damage shows here
    except ValueError:
        return False, ""
    context = ValidationContext(
        trust_roots=[
            asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
            for root in trust_roots
        ],
        allow_fetching=False,
    )
    try:
        status = asyncio.run(
            async_validate_detached_cms(data, signed_data, signer_validation_context=context)
        )
    except (SigningError, ValueError, KeyError) as exc:
        logger.warning("unreadable CMS signature: %r", exc)
        return False, ""
    cert = status.signing_cert
    subject = cert.subject.human_friendly if cert is not None else ""
    return bool(status.bottom_line), subject
