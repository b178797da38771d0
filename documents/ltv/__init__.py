"""Signatures that outlive their certificates: PAdES levels, timestamps, revocation data and
the trust anchors they are checked against (settings.SIGNING; see docs/ltv.md).

Levels (ETSI EN 319 142-1):
- B-B: the signature alone. It can be checked only while the signer's certificate is valid.
- B-T: plus a timestamp (RFC 3161) from a time-stamping authority over the signature value:
  proof that the signature existed at that time.
- B-LT: plus, in the document security store (DSS), the certificates and the revocation data
  (OCSP responses, CRLs) of the signer's chain fetched at signing time. With the timestamp,
  the signature can be checked after the certificate expired: the chain is validated at the
  timestamp's time with the revocation data embedded then.
- B-LTA: plus a document timestamp over all that, so the evidence itself is sealed in time
  (and can be renewed by a later document timestamp before the TSA's certificate expires).

Validation (`evaluate`) checks a signature at the validation time (now, or a given moment)
and, for a B-LT/B-LTA signature whose timestamp holds, again at the timestamp's time with
the embedded revocation data only (hard-fail: no revocation data, not trusted). Trust comes
only from the configured anchors, plus intermediates carried in the file."""

from __future__ import annotations

from pyhanko.sign.general import SigningError

from .config import (
    B_B,
    B_LT,
    B_LTA,
    B_T,
    LEVELS,
    LtvConfigurationError,
    anchor_paths,
    asn1,
    fetch_revocation,
    level,
    load_trust_anchors,
    tsa_url,
)
from .signatures import (
    level_timestamper,
    metadata_options,
    sign,
    signature_metadata,
    timestamper,
)
from .validation import LtvFacts, Revocation, evaluate

__all__ = [
    "B_B",
    "B_LT",
    "B_LTA",
    "B_T",
    "LEVELS",
    "LtvConfigurationError",
    "LtvFacts",
    "Revocation",
    "SigningError",
    "anchor_paths",
    "asn1",
    "evaluate",
    "fetch_revocation",
    "level",
    "level_timestamper",
    "load_trust_anchors",
    "metadata_options",
    "sign",
    "signature_metadata",
    "timestamper",
    "tsa_url",
]
