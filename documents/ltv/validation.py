"""Checking a signature at a moment, and again at its timestamp's time with the revocation
data embedded then (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from asn1crypto import cms, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from .config import (
    B_B,
    B_LT,
    B_LTA,
    B_T,
    _trust_manager,
    asn1,
    fetch_revocation,
)

logger = logging.getLogger(__name__)


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
