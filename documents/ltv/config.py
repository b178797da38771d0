"""Settings of long-term signatures: the level, the TSA, fetching revocation data, and the
trust anchors (settings.SIGNING; docs/ltv.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko_certvalidator.registry import SimpleTrustManager

logger = logging.getLogger(__name__)


B_B, B_T, B_LT, B_LTA = "B-B", "B-T", "B-LT", "B-LTA"
LEVELS = (B_B, B_T, B_LT, B_LTA)
TSA_TIMEOUT = 10  # seconds
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class LtvConfigurationError(ImproperlyConfigured):
    """settings.SIGNING asks for a level the other settings cannot deliver."""


# --- Settings --------------------------------------------------------------------------------


def _config() -> Mapping[str, Any]:
    return settings.SIGNING


def tsa_url() -> str:
    """The RFC 3161 time-stamping authority (SIGNING['TSA_URL']); empty: none."""
    return str(_config().get("TSA_URL") or "").strip()


def level() -> str:
    """The configured PAdES level: SIGNING['LTV'], by default B-T with a TSA, B-B without."""
    configured = str(_config().get("LTV") or "").strip().upper()
    if not configured:
        return B_T if tsa_url() else B_B
    if configured not in LEVELS:
        raise LtvConfigurationError(
            f"SIGNING['LTV'] = {configured!r}: expected one of {', '.join(LEVELS)}"
        )
    if configured != B_B and not tsa_url():
        raise LtvConfigurationError(
            f"SIGNING['LTV'] = {configured!r} needs a time-stamping authority: set "
            "SIGNING['TSA_URL'] (SIGNING_TSA_URL)."
        )
    return configured


def fetch_revocation() -> bool:
    """Whether validation may fetch OCSP responses and CRLs (SIGNING['FETCH_REVOCATION'])."""
    return bool(_config().get("FETCH_REVOCATION", False))


def _certificates_in(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _anchor_files(entry: Path) -> list[Path]:
    if entry.is_dir():
        return sorted(p for p in entry.iterdir() if p.suffix.lower() in CERT_SUFFIXES)
    return [entry]


def anchor_paths() -> list[Path]:
    """SIGNING['CA_CERT'] (kept for existing setups) and SIGNING['TRUST_ANCHORS']: PEM/DER
    files or directories of them; a string may list several, separated by commas."""
    config = _config()
    entries: list[str] = []
    if config.get("CA_CERT"):
        entries.append(str(config["CA_CERT"]))
    anchors = config.get("TRUST_ANCHORS") or []
    if isinstance(anchors, str | Path):
        anchors = str(anchors).split(",")
    entries.extend(str(a).strip() for a in anchors if str(a).strip())
    paths: list[Path] = []
    for entry in entries:
        path = Path(entry)
        if not path.exists():
            logger.warning("trust anchor %s does not exist; ignored", path)
            continue
        paths.extend(p for p in _anchor_files(path) if p not in paths)
    return paths


def load_trust_anchors() -> list[x509.Certificate]:
    """The CA certificates signatures are checked against, deduplicated; an unreadable file
    is an ImproperlyConfigured error naming it."""
    anchors: dict[bytes, x509.Certificate] = {}
    for path in anchor_paths():
        try:
            certificates = _certificates_in(path)
        except ValueError as error:
            raise LtvConfigurationError(f"trust anchor {path}: {error}") from error
        for cert in certificates:
            anchors.setdefault(cert.public_bytes(serialization.Encoding.DER), cert)
    return list(anchors.values())


def asn1(cert: x509.Certificate | asn1_x509.Certificate) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _trust_manager(anchors: Iterable[x509.Certificate | asn1_x509.Certificate]):
    # Built explicitly: an empty list must mean "trust nothing", never the system's store.
    return SimpleTrustManager.build(trust_roots=[asn1(a) for a in anchors])
