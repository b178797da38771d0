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

import datetime as dt
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import cms, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import (
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
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


# --- Signing ---------------------------------------------------------------------------------


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


# --- Validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revocation:
    """The signer certificate's revocation status and where it was learnt."""

    status: str = "unknown"  # "good", "revoked", "unknown"
    source: str = ""  # "OCSP", "CRL", or "" when none was found
    embedded: bool = False  # found in the file (DSS), not fetched now
    revoked_at: dt.datetime | None = None


@dataclass(frozen=True)
class LtvFacts:
    """What the long-term validation of one signature found."""

    level: str
    trusted: bool
    timestamp_time: dt.datetime | None = None
    tsa_name: str = ""
    timestamp_ok: bool = False
    chain: tuple[str, ...] = ()  # subject CNs, root first, signer last
    revocation: Revocation = field(default_factory=Revocation)
    validated_at_timestamp: bool = False  # trusted thanks to the timestamp + embedded data
    document_timestamp_time: dt.datetime | None = None
    document_timestamp_ok: bool = False


@dataclass
class _EmbeddedRevinfo:
    certs: list[asn1_x509.Certificate]
    ocsps: list[asn1_ocsp.OCSPResponse]
    crls: list[asn1_crl.CertificateList]

    @classmethod
    def read(cls, reader: PdfFileReader) -> _EmbeddedRevinfo:
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            return cls([], [], [])
        context = dss.as_validation_context({"trust_roots": []})
        manager = context.revinfo_manager
        return cls(
            certs=list(dss.load_certs()),
            ocsps=list(manager.ocsps),
            crls=list(manager.crls),
        )


def _common_name(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", "") or cert.subject.human_friendly)


def _signature_timestamp(embedded: EmbeddedPdfSignature) -> dt.datetime | None:
    for token in extract_tst_data_iter(embedded.signer_info, signed=False):
        content = token["encap_content_info"]["content"]
        info = content.parsed if isinstance(content, cms.ParsableOctetString) else content
        if isinstance(info, tsp.TSTInfo):
            return info["gen_time"].native
        return tsp.TSTInfo.load(bytes(content))["gen_time"].native
    return None


def _revocation_pointers(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.ocsp_urls or cert.crl_distribution_points)


def _context(
    anchors: Sequence[asn1_x509.Certificate],
    revinfo: _EmbeddedRevinfo,
    *,
    moment: dt.datetime | None,
    fetch: bool,
    hard_fail: bool = False,
) -> ValidationContext:
    return ValidationContext(
        trust_manager=_trust_manager(anchors),
        other_certs=revinfo.certs,
        ocsps=revinfo.ocsps,
        crls=revinfo.crls,
        moment=moment,
        allow_fetching=fetch and moment is None,
        revocation_mode="hard-fail" if hard_fail else "soft-fail",
        retroactive_revinfo=hard_fail,  # data fetched just after the timestamp is fine
    )


def _detect_level(
    embedded: EmbeddedPdfSignature,
    timestamp_time: dt.datetime | None,
    revinfo: _EmbeddedRevinfo,
    document_timestamps: Sequence[EmbeddedPdfSignature],
) -> str:
    if timestamp_time is None:
        return B_B
    signer = embedded.signer_cert
    covered = any(_ocsp_entry(o, signer) is not None for o in revinfo.ocsps) or any(
        _crl_covers(c, signer) for c in revinfo.crls
    )
    if not covered and _revocation_pointers(signer):
        return B_T
    if not revinfo.certs and not covered:
        return B_T
    later = [ts for ts in document_timestamps if ts.signed_revision > embedded.signed_revision]
    return B_LTA if later else B_LT


def _ocsp_entry(response: asn1_ocsp.OCSPResponse, cert: asn1_x509.Certificate):
    """The single response about `cert` in an OCSP response, or None."""
    try:
        if response["response_status"].native != "successful":
            return None
        basic = response["response_bytes"]["response"].parsed
        for single in basic["tbs_response_data"]["responses"]:
            cert_id = single["cert_id"]
            if cert_id["serial_number"].native != cert.serial_number:
                continue
            algorithm = cert_id["hash_algorithm"]["algorithm"].native
            name_hash = getattr(cert.issuer, algorithm, None)
            if name_hash is None or name_hash == cert_id["issuer_name_hash"].native:
                return single
    except (KeyError, ValueError, TypeError):
        return None
    return None


def _crl_covers(certificate_list: asn1_crl.CertificateList, cert: asn1_x509.Certificate) -> bool:
    return certificate_list["tbs_cert_list"]["issuer"] == cert.issuer


def _crl_revoked_at(
    certificate_list: asn1_crl.CertificateList, cert: asn1_x509.Certificate
) -> dt.datetime | None:
    for revoked in certificate_list["tbs_cert_list"]["revoked_certificates"] or []:
        if revoked["user_certificate"].native == cert.serial_number:
            return revoked["revocation_date"].native
    return None


def _revocation(
    cert: asn1_x509.Certificate,
    status: PdfSignatureStatus,
    embedded_revinfo: _EmbeddedRevinfo,
    context: ValidationContext,
) -> Revocation:
    embedded_ocsps = {o.dump() for o in embedded_revinfo.ocsps}
    embedded_crls = {c.dump() for c in embedded_revinfo.crls}
    ocsps = list(embedded_revinfo.ocsps) + [
        o for o in context.revinfo_manager.ocsps if o.dump() not in embedded_ocsps
    ]
    crls = list(embedded_revinfo.crls) + [
        c for c in context.revinfo_manager.crls if c.dump() not in embedded_crls
    ]
    found: Revocation | None = None
    latest: dt.datetime | None = None
    for response in ocsps:
        single = _ocsp_entry(response, cert)
        if single is None:
            continue
        this_update = single["this_update"].native
        if latest is not None and this_update <= latest:
            continue
        latest = this_update
        cert_status = single["cert_status"]
        revoked_at = (
            cert_status.chosen["revocation_time"].native if cert_status.name == "revoked" else None
        )
        found = Revocation(
            status=cert_status.name if cert_status.name in ("good", "revoked") else "unknown",
            source="OCSP",
            embedded=response.dump() in embedded_ocsps,
            revoked_at=revoked_at,
        )
    if found is None:
        for certificate_list in crls:
            if not _crl_covers(certificate_list, cert):
                continue
            revoked_at = _crl_revoked_at(certificate_list, cert)
            found = Revocation(
                status="revoked" if revoked_at else "good",
                source="CRL",
                embedded=certificate_list.dump() in embedded_crls,
                revoked_at=revoked_at,
            )
            if revoked_at:
                break
    details = status.revocation_details
    if details is not None and not details.ca_revoked:
        return Revocation(
            status="revoked",
            source=found.source if found else "",
            embedded=found.embedded if found else False,
            revoked_at=details.revocation_date,
        )
    return found or Revocation()


def _chain(
    status: PdfSignatureStatus, embedded: EmbeddedPdfSignature, revinfo: _EmbeddedRevinfo
) -> tuple[str, ...]:
    """Subject CNs from the root to the signer: the validated path if there is one, else the
    chain as the file presents it (issuer by issuer)."""
    if status.validation_path is not None:
        return tuple(_common_name(c) for c in status.validation_path.iter_certs(True))
    pool = list(embedded.other_embedded_certs) + list(revinfo.certs)
    chain = [embedded.signer_cert]
    while len(chain) < 8:
        current = chain[-1]
        if current.self_signed in ("maybe", "yes"):
            break
        issuer = next((c for c in pool if c.subject == current.issuer), None)
        if issuer is None or issuer in chain:
            break
        chain.append(issuer)
    return tuple(_common_name(c) for c in reversed(chain))


def evaluate(
    embedded: EmbeddedPdfSignature,
    anchors: Sequence[x509.Certificate | asn1_x509.Certificate],
    *,
    moment: dt.datetime | None = None,
    fetch: bool | None = None,
) -> tuple[PdfSignatureStatus, LtvFacts]:
    """Validate one signature at `moment` (default: now) against the anchors; for a B-LT or
    B-LTA signature whose timestamp holds, validate the signer's chain again at the
    timestamp's time with the embedded revocation data, as after the certificate expired."""
    fetch = fetch_revocation() if fetch is None else fetch
    roots = [asn1(a) for a in anchors]
    reader = embedded.reader
    revinfo = _EmbeddedRevinfo.read(reader)
    document_timestamps = list(reader.embedded_timestamp_signatures)
    timestamp_time = _signature_timestamp(embedded)
    signature_level = _detect_level(embedded, timestamp_time, revinfo, document_timestamps)

    context = _context(roots, revinfo, moment=moment, fetch=fetch)
    status = validate_pdf_signature(
        embedded,
        context,
        ts_validation_context=_context(roots, revinfo, moment=moment, fetch=fetch),
    )
    ts_status = status.timestamp_validity
    timestamp_ok = bool(ts_status and ts_status.intact and ts_status.valid and ts_status.trusted)
    trusted = bool(status.trusted)
    chain_status = status
    validated_at_timestamp = False
    if (
        not trusted
        and status.revocation_details is None
        and timestamp_ok
        and timestamp_time is not None
        and signature_level in (B_LT, B_LTA)
    ):
        past = validate_pdf_signature(
            embedded,
            _context(roots, revinfo, moment=timestamp_time, fetch=False, hard_fail=True),
            ts_validation_context=_context(roots, revinfo, moment=moment, fetch=fetch),
            skip_diff=True,
        )
        if past.trusted and past.revocation_details is None:
            trusted = validated_at_timestamp = True
            chain_status = past

    doc_ts_time = None
    doc_ts_ok = False
    later = [ts for ts in document_timestamps if ts.signed_revision > embedded.signed_revision]
    if later:
        document_timestamp = later[-1]
        doc_status = validate_pdf_timestamp(
            document_timestamp, _context(roots, revinfo, moment=moment, fetch=fetch)
        )
        doc_ts_time = doc_status.timestamp
        doc_ts_ok = bool(doc_status.intact and doc_status.valid and doc_status.trusted)

    facts = LtvFacts(
        level=signature_level,
        trusted=trusted,
        timestamp_time=ts_status.timestamp if ts_status else timestamp_time,
        tsa_name=_common_name(ts_status.signing_cert) if ts_status else "",
        timestamp_ok=timestamp_ok,
        chain=_chain(chain_status, embedded, revinfo),
        revocation=_revocation(embedded.signer_cert, status, revinfo, context),
        validated_at_timestamp=validated_at_timestamp,
        document_timestamp_time=doc_ts_time,
        document_timestamp_ok=doc_ts_ok,
    )
    return status, facts


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
    "evaluate",
    "level",
    "load_trust_anchors",
    "metadata_options",
    "sign",
    "signature_metadata",
    "timestamper",
    "tsa_url",
]


def level_timestamper() -> timestamps.HTTPTimeStamper | None:
    """The configured TSA when the configured level wants a timestamp (B-T and above)."""
    return timestamper() if level() != B_B else None
