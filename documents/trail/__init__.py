"""Sealing and verifying the audit trail (documents.audit_format has the chain's rules).

``seal`` makes a checkpoint: the heads of the chains that moved since the last one, chained
to it and signed by the agency. ``verify`` walks every chain in order, the checkpoints and
their signatures, and every stored original and attachment against the hash the trail
recorded for it, and reports what does not hold."""

from .files import (
    OriginalAltered,
    ensure_attachment_intact,
    read_original,
    recorded_hashes,
    verify_files,
)
from .seal import SealError, seal, sign_hash
from .walk import Finding, Report, verify, verify_checkpoints, verify_events

__all__ = [
    "Finding",
    "ensure_attachment_intact",
    "OriginalAltered",
    "Report",
    "SealError",
    "read_original",
    "recorded_hashes",
    "seal",
    "sign_hash",
    "verify",
    "verify_checkpoints",
    "verify_events",
    "verify_files",
]
