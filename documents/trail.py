"""Sealing and verifying the audit trail (documents.audit_format has the chain's rules).

``seal`` makes a checkpoint: the heads of the chains that moved since the last one, chained
to it and signed by the agency. ``verify`` walks every chain in order, the checkpoints and
their signatures, and every stored original and attachment against the hash the trail
recorded for it, and reports what does not hold."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Window
from django.utils import timezone

from . import audit, audit_format
from .models import Attachment, Checkpoint, Event, Rendition, SealedHead

logger = logging.getLogger(__name__)

SEAL_LOCK = -1  # the advisory lock key (second half) that serialises sealing on PostgreSQL
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


class SealError(Exception):
    """A checkpoint could not be made (the agency cannot sign); nothing was written."""


# --- sealing ----------------------------------------------------------------------------


def _heads() -> dict[str, tuple[int, str]]:
    """Every chain's last event: chain → (seq, hash)."""
    rows = (
        Event.objects.annotate(top=Window(Max("seq"), partition_by=[F("chain")]))
        .filter(seq=F("top"))
        .values_list("chain", "seq", "hash")
    )
    return {chain: (seq, digest) for chain, seq, digest in rows}


def sign_hash(digest: str) -> tuple[str, str]:
    """The agency's detached CMS signature over a checkpoint hash (base64), and its signer."""
    from django.core.exceptions import ValidationError

    from . import signers

    try:
        with signers.signing_as(None) as signer:
            cms_der = signers.sign_data(signer, digest.encode("ascii"))
            cert = signer.signing_cert
    except ValidationError as error:
        raise SealError(" ".join(error.messages)) from error
    subject = cert.subject.human_friendly if cert is not None else ""
    return base64.b64encode(cms_der).decode("ascii"), subject


def seal(*, sign: Callable[[str], tuple[str, str]] = sign_hash) -> Checkpoint | None:
    """Seal the heads of the chains that moved since the last checkpoint; None when none did."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [audit.LOCK_NAMESPACE, SEAL_LOCK]
                )
        sealed = dict(SealedHead.objects.values_list("chain", "seq"))
        moved: dict[str, list[Any]] = {
            chain: [seq, digest]
            for chain, (seq, digest) in _heads().items()
            if seq > sealed.get(chain, 0)
        }
        if not moved:
            return None
        last = Checkpoint.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, audit_format.GENESIS)
        created_at = timezone.now()
        digest = audit_format.checkpoint_hash(seq, prev, audit.timestamp(created_at), moved)
        signature, signer = sign(digest)
        checkpoint = Checkpoint.objects.create(
            seq=seq,
            created_at=created_at,
            prev=prev,
            hash=digest,
            heads=moved,
            signature=signature,
            signer=signer,
        )
        SealedHead.objects.bulk_create(
            [SealedHead(chain=chain, seq=head[0]) for chain, head in moved.items()],
            update_conflicts=True,
            unique_fields=["chain"],
            update_fields=["seq"],
        )
    logger.info("audit checkpoint %s sealed %s chains", seq, len(moved))
    return checkpoint


# --- verifying --------------------------------------------------------------------------


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


def verify_events(
    report: Report,
    sealed: dict[tuple[str, int], tuple[str, int]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Walk every chain in order; ``sealed`` (chain, seq) → (hash, checkpoint) is emptied of
    the links found intact, so what is left was removed or altered."""
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
            last_chain, last_seq, last_hash = chain, 0, genesis
        if sha256(canonical).hexdigest() != digest:
            findings.append(
                Finding("event", _where(row), "altered: its content does not match its hash")
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
        if sealed:
            expected = sealed.pop((chain, seq), None)
            if expected is not None and expected[0] != digest:
                findings.append(
                    Finding(
                        "event", _where(row), f"differs from what checkpoint {expected[1]} sealed"
                    )
                )
        last_seq, last_hash = seq, digest
    if progress is not None:
        progress(count % CHUNK)
    report.events = count


def verify_checkpoints(
    report: Report, roots: list[Any] | None
) -> dict[tuple[str, int], tuple[str, int]]:
    """Check the checkpoints' own chain and signatures; returns what they sealed."""
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
            problem = audit_format.check_signature(checkpoint, roots)
            if problem:
                report.findings.append(Finding("checkpoint", f"#{checkpoint['seq']}", problem))
    sealed: dict[tuple[str, int], tuple[str, int]] = {}
    for checkpoint in checkpoints:
        for chain, (seq, digest) in checkpoint["heads"].items():
            sealed[(chain, seq)] = (digest, checkpoint["seq"])
    return sealed


def _file_sha256(file: Any) -> str | None:
    try:
        with file.open("rb") as handle:
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            return digest.hexdigest()
    except OSError:
        return None


def recorded_hashes() -> tuple[dict[tuple[int, str], str], set[tuple[int, str]]]:
    """What the trail recorded for the stored files: each signed original's SHA-256 by
    (document, kind), and the (document, SHA-256) of each attachment. A file's own row can be
    edited along with the file; the chained event cannot, unnoticed."""
    originals: dict[tuple[int, str], str] = {}
    attachments: set[tuple[int, str]] = set()
    rows = Event.objects.filter(kind__in=[Event.Kind.RENDERED, Event.Kind.ATTACHED])
    for document_id, kind, data in rows.values_list("document_id", "kind", "data"):
        if not isinstance(data, dict):
            continue
        if kind == Event.Kind.RENDERED and "pdf_sha256" in data:
            originals[(document_id, str(data.get("rendition")))] = data["pdf_sha256"]
        elif kind == Event.Kind.ATTACHED and "sha256" in data:
            attachments.add((document_id, data["sha256"]))
    return originals, attachments


def verify_files(report: Report, *, signatures: bool) -> None:
    """Every stored original and attachment against its recorded SHA-256 (the trail's, where
    it recorded one); with ``signatures``, every original's signatures too."""
    from . import signing

    recorded, attached = recorded_hashes()
    roots = signing.trust_roots() if signatures else []
    for rendition in Rendition.objects.order_by("pk").iterator(chunk_size=500):
        report.files += 1
        where = rendition.file.name
        found = _file_sha256(rendition.file)
        trail = recorded.get((rendition.document_id, rendition.kind))
        if found is None:
            report.findings.append(Finding("file", where, "missing or unreadable"))
            continue
        if found != rendition.sha256 or (trail is not None and found != trail):
            report.findings.append(
                Finding("file", where, "altered: its SHA-256 differs from the one recorded")
            )
            continue
        if trail is None:
            report.findings.append(
                Finding("file", where, "the trail has no record of this original being made")
            )
        if signatures:
            with rendition.file.open("rb") as handle:
                pdf = handle.read()
            try:
                results = signing.verify_pdf(pdf, trust_roots=roots)
            except signing.SignatureVerificationError as error:
                report.findings.append(Finding("file", where, f"signatures unreadable: {error}"))
                continue
            report.signatures += len(results)
            bad = [r.field_name for r in results if not r.ok]
            if not results or bad:
                report.findings.append(
                    Finding("file", where, f"signature not valid: {', '.join(bad) or 'none'}")
                )
    for attachment in Attachment.objects.order_by("pk").iterator(chunk_size=500):
        report.files += 1
        found = _file_sha256(attachment.file)
        if found is None:
            report.findings.append(Finding("file", attachment.file.name, "missing or unreadable"))
        elif found != attachment.sha256 or (attachment.document_id, found) not in attached:
            report.findings.append(
                Finding(
                    "file", attachment.file.name, "altered: its SHA-256 differs from the recorded"
                )
            )


def _asn1(cert: Any) -> Any:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def verify(
    *,
    files: bool = True,
    signatures: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """The whole check; ``report.findings`` in the order found (events, then files)."""
    from . import signing

    report = Report()
    roots = [_asn1(c) for c in signing.trust_roots()] if signatures else None
    sealed = verify_checkpoints(report, roots)
    verify_events(report, sealed, progress)
    for (chain, seq), (_digest, checkpoint) in sorted(sealed.items()):
        report.findings.append(
            Finding("event", f"{chain}#{seq}", f"sealed by checkpoint {checkpoint}, now missing")
        )
    if files:
        verify_files(report, signatures=signatures)
    return report


# --- serving a stored original ------------------------------------------------------------


class OriginalAltered(Exception):
    """A stored original is missing or no longer the file that was recorded; never served."""

    def __init__(self, rendition: Rendition, found: str | None) -> None:
        super().__init__(rendition.file.name)
        self.rendition = rendition
        self.found = found


def read_original(rendition: Rendition) -> bytes:
    """The stored original's bytes, checked against the SHA-256 recorded at its making (its
    row's and the trail's). A mismatch is recorded in the document's trail, once per altered
    content, and raised (OriginalAltered)."""
    try:
        with rendition.file.open("rb") as handle:
            content = handle.read()
    except OSError:
        content = None
    found = hashlib.sha256(content).hexdigest() if content is not None else None
    recorded = (
        Event.objects.filter(
            document_id=rendition.document_id,
            kind=Event.Kind.RENDERED,
            data__rendition=rendition.kind,
        )
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    expected = {rendition.sha256}
    if isinstance(recorded, dict) and recorded.get("pdf_sha256"):
        expected.add(recorded["pdf_sha256"])
    if content is not None and expected == {found}:
        return content
    _record_altered(rendition, found, sorted(expected))
    raise OriginalAltered(rendition, found)


def _record_altered(rendition: Rendition, found: str | None, expected: list[str]) -> None:
    noted = Event.objects.filter(
        document_id=rendition.document_id,
        kind=Event.Kind.ORIGINAL_ALTERED,
        data__found=found,
        data__rendition=rendition.kind,
    )
    with transaction.atomic():
        if noted.exists():
            return
        logger.error(
            "stored original %s of document %s altered: %s, expected %s",
            rendition.kind,
            rendition.document_id,
            found,
            expected,
        )
        audit.record(
            document=rendition.document,
            actor=None,
            kind=Event.Kind.ORIGINAL_ALTERED,
            data={
                "rendition": rendition.kind,
                "file": rendition.file.name,
                "found": found,
                "expected": expected,
            },
        )
