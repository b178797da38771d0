"""Verifying the trail: every chain in order, the checkpoints and their signatures, then the
stored files (documents.trail.files)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from documents import audit, audit_format
from documents.models import Checkpoint, Event

logger = logging.getLogger(__name__)

CHUNK = 10_000
EVENT_COLUMNS = (
    "chain",
    "seq",
    "prev",
    "created_at",
    "document_id",
    "actor_id",
    "role",
    "kind",
    "comment",
    "data",
    "hash",
    "pk",
)


@dataclass
class Finding:
    what: str  # "event", "checkpoint", "file"
    where: str  # chain#seq (event id …), checkpoint #n, or the file's path
    reason: str

    def __str__(self) -> str:
        return f"{self.what} {self.where}: {self.reason}"


@dataclass
class Report:
    events: int = 0
    chains: int = 0
    checkpoints: int = 0
    files: int = 0
    signatures: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _event_rows() -> Iterator[tuple[Any, ...]]:
    """Every event in chain order, as (chain, seq, prev, created_at as the chain hashes it,
    document, actor, role, kind, comment, data, hash, id). On PostgreSQL straight from a
    server-side cursor, the time formatted by the server and ``data`` as its JSON text ("{}"
    kept as is, the rest parsed here): the walk's goal is 100,000 events a second."""
    if connection.vendor == "postgresql":
        yield from _postgres_rows()
        return
    utc = dt.UTC
    rows = Event.objects.order_by("chain", "seq").values_list(*EVENT_COLUMNS)
    for row in rows.iterator(chunk_size=CHUNK):
        created = row[3].astimezone(utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        yield (*row[:3], created, *row[4:])


POSTGRES_WALK = f"""
    SELECT chain, seq, prev,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           document_id, actor_id, role, kind, comment, data::text, hash, id
    FROM {Event._meta.db_table} ORDER BY chain, seq
"""  # noqa: S608 -- no parameters: the table name is the model's


def _postgres_rows() -> Iterator[tuple[Any, ...]]:
    loads = json.loads
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor(name="vanthu_trail_walk") as cursor:
        cursor.itersize = CHUNK
        cursor.execute(POSTGRES_WALK)
        for row in cursor:
            data = row[9]
            yield (*row[:9], {} if data == "{}" else loads(data), row[10], row[11])


_dumps = audit_format._dumps


def _where(row: tuple[Any, ...]) -> str:
    return f"{row[0]}#{row[1]} (id {row[11]})"


@dataclass
class Seals:
    """What the checkpoints sealed: (chain, seq) → (hash, checkpoint), emptied by the walk
    of the links found; each chain's last sealed number; and the time before which every
    event must be sealed (the last checkpoint, less a margin for a transaction that was
    still open when it was made)."""

    heads: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    last_sealed: dict[str, int] = field(default_factory=dict)
    sealed_before: str = ""


SEAL_MARGIN = dt.timedelta(minutes=10)


def verify_events(
    report: Report, seals: Seals, progress: Callable[[int], None] | None = None
) -> None:
    """Walk every chain in order: each event's hash, its place in its document's chain, its
    link and its time; what the checkpoints sealed is found and unchanged, and nothing older
    than the last checkpoint escaped it (a chain kept out of the seals)."""
    sealed, last_sealed, sealed_before = seals.heads, seals.last_sealed, seals.sealed_before
    system = audit_format.SYSTEM_CHAIN
    unsealed_chain = None
    last_created = ""
    sha256 = hashlib.sha256
    encode = audit_format._ENCODER.encode
    genesis = audit_format.GENESIS
    version = audit_format.VERSION
    findings = report.findings
    last_chain, last_seq, last_hash = None, 0, genesis
    count = 0
    for row in _event_rows():
        chain, seq, prev, created, document, actor, role, kind, comment, data, digest, pk = row
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress(CHUNK)
        canonical = encode(
            [version, chain, seq, prev, created, document, actor, role, kind, comment, data]
        ).encode()
        if chain != last_chain:
            report.chains += 1
            last_chain, last_seq, last_hash, last_created = chain, 0, genesis, ""
        if sha256(canonical).hexdigest() != digest:
            findings.append(
                Finding("event", _where(row), "altered: its content does not match its hash")
            )
        elif chain != (system if document is None else f"d:{document}"):
            findings.append(
                Finding("event", _where(row), "inserted: it is not on its document's chain")
            )
        elif seq != last_seq + 1:
            findings.append(
                Finding(
                    "event",
                    _where(row),
                    f"out of order: expected number {last_seq + 1} in its chain "
                    "(events removed or inserted)",
                )
            )
        elif prev != last_hash:
            findings.append(
                Finding(
                    "event", _where(row), "out of order: it does not follow the event before it"
                )
            )
        elif created < last_created:
            findings.append(
                Finding("event", _where(row), "out of order: dated before the event before it")
            )
        if sealed:
            expected = sealed.pop((chain, seq), None)
            if expected is not None and expected[0] != digest:
                findings.append(
                    Finding(
                        "event", _where(row), f"differs from what checkpoint {expected[1]} sealed"
                    )
                )
        if created < sealed_before and seq > last_sealed.get(chain, 0) and chain != unsealed_chain:
            unsealed_chain = chain  # said once per chain
            findings.append(
                Finding("event", _where(row), "older than the last checkpoint, yet not sealed")
            )
        last_seq, last_hash, last_created = seq, digest, created
    if progress is not None:
        progress(count % CHUNK)
    report.events = count


def verify_checkpoints(
    report: Report, roots: list[Any] | None, pinned: set[str] | None = None
) -> Seals:
    """Check the checkpoints' own chain and signatures (by the agency's certificate, when
    ``pinned``); returns what they sealed."""
    checkpoints = [
        {
            "seq": c.seq,
            "prev": c.prev,
            "created_at": audit.timestamp(c.created_at),
            "heads": c.heads,
            "hash": c.hash,
            "signature": c.signature,
        }
        for c in Checkpoint.objects.order_by("seq")
    ]
    report.checkpoints = len(checkpoints)
    if checkpoints and checkpoints[0]["seq"] != 1:
        report.findings.append(
            Finding("checkpoint", f"#{checkpoints[0]['seq']}", "checkpoints before it removed")
        )
    for checkpoint, reason in audit_format.check_checkpoints(checkpoints):
        report.findings.append(Finding("checkpoint", f"#{checkpoint['seq']}", reason))
    if roots is not None:
        for checkpoint in checkpoints:
            report.signatures += 1
            problem = audit_format.check_signature(checkpoint, roots, pinned)
            if problem:
                report.findings.append(Finding("checkpoint", f"#{checkpoint['seq']}", problem))
    seals = Seals()
    for checkpoint in checkpoints:
        for chain, (seq, digest) in checkpoint["heads"].items():
            seals.heads[(chain, seq)] = (digest, checkpoint["seq"])
            seals.last_sealed[chain] = max(seals.last_sealed.get(chain, 0), seq)
    last = Checkpoint.objects.order_by("-seq").values_list("created_at", flat=True).first()
    if last is not None:
        seals.sealed_before = audit.timestamp(last - SEAL_MARGIN)
    return seals


def agency_fingerprints() -> set[str]:
    """SHA-256 fingerprints of the certificates that may sign checkpoints: the agency's
    current one, and the earlier ones listed in settings.SIGNING["AUDIT_SEAL_CERTS"] (PEM
    files) after a renewal."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from documents import signers

    pinned = audit_format.fingerprints(list(settings.SIGNING.get("AUDIT_SEAL_CERTS", [])))
    try:
        with signers.signing_as(None) as signer:
            if signer.signing_cert is not None:
                pinned.add(signer.signing_cert.sha256.hex())
    except ValidationError as error:
        logger.warning("the agency's certificate cannot be read to pin checkpoints: %s", error)
    return pinned


def verify(
    *,
    files: bool = True,
    signatures: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """The whole check; ``report.findings`` in the order found (events, then files)."""
    from documents import ltv, signing

    report = Report()
    roots = [ltv.asn1(c) for c in signing.trust_roots()] if signatures else None
    seals = verify_checkpoints(report, roots, agency_fingerprints() if signatures else None)
    verify_events(report, seals, progress)
    for (chain, seq), (_digest, checkpoint) in sorted(seals.heads.items()):
        report.findings.append(
            Finding("event", f"{chain}#{seq}", f"sealed by checkpoint {checkpoint}, now missing")
        )
    if files:
        from .files import verify_files  # it reports with this module's Finding

        verify_files(report, signatures=signatures)
    return report
