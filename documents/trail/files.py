"""The stored files against what the trail recorded when they were made: checked by
verify_audit, and before a stored original is served."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import transaction

from documents import audit
from documents.models import Attachment, Event, Rendition

from .walk import Finding, Report

logger = logging.getLogger(__name__)


def _file_sha256(file: Any) -> str | None:
    try:
        with file.open("rb") as handle:
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            return digest.hexdigest()
    except OSError:
        return None


def recorded_hashes() -> tuple[
    dict[tuple[int, str], str], set[tuple[int, str]], set[tuple[int, str]]
]:
    """What the trail recorded for the stored files: each signed original's SHA-256 by
    (document, kind), and the (document, SHA-256) of each attachment. A file's own row can be
    edited along with the file; the chained event cannot, unnoticed."""
    originals: dict[tuple[int, str], str] = {}
    attachments: set[tuple[int, str]] = set()
    twice: set[tuple[int, str]] = set()
    rows = Event.objects.filter(kind__in=[Event.Kind.RENDERED, Event.Kind.ATTACHED]).order_by(
        "chain", "seq"
    )
    for document_id, kind, data in rows.values_list("document_id", "kind", "data"):
        if not isinstance(data, dict):
            continue
        if kind == Event.Kind.RENDERED and "pdf_sha256" in data:
            key = (document_id, str(data.get("rendition")))
            if key in originals:  # made once: a second record of its making was added
                twice.add(key)
            else:
                originals[key] = data["pdf_sha256"]
        elif kind == Event.Kind.ATTACHED and "sha256" in data:
            attachments.add((document_id, data["sha256"]))
    return originals, attachments, twice


def verify_files(report: Report, *, signatures: bool) -> None:
    """Every stored original and attachment against its recorded SHA-256 (the trail's, where
    it recorded one); with ``signatures``, every original's signatures too."""
    from documents import signing

    recorded, attached, twice = recorded_hashes()
    for document_id, kind in sorted(twice):
        report.findings.append(
            Finding(
                "event",
                f"d:{document_id}",
                f"the making of its {kind} original is recorded more than once",
            )
        )
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


class OriginalAltered(Exception):
    """A stored file (a signed original, an attachment) is missing or no longer the file that
    was recorded; never served."""

    def __init__(self, name: str, found: str | None) -> None:
        super().__init__(name)
        self.name = name
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
        .order_by("seq")  # the first record of its making: a later one is a forgery
        .values_list("data", flat=True)
        .first()
    )
    expected = {rendition.sha256}
    if isinstance(recorded, dict) and recorded.get("pdf_sha256"):
        expected.add(recorded["pdf_sha256"])
    if content is not None and expected == {found}:
        return content
    _record_altered(rendition.document, rendition.kind, rendition.file.name, found, expected)
    raise OriginalAltered(rendition.file.name, found)


def ensure_attachment_intact(attachment: Attachment) -> None:
    """The attachment's file is the one uploaded: its SHA-256 is its row's and one the trail
    recorded when it was attached. Otherwise recorded once and raised (OriginalAltered)."""
    found = _file_sha256(attachment.file)
    recorded = set(
        Event.objects.filter(
            document_id=attachment.document_id,
            kind=Event.Kind.ATTACHED,
            data__sha256=attachment.sha256,
        ).values_list("data__sha256", flat=True)
    )
    if found is not None and found == attachment.sha256 and found in recorded:
        return
    expected = {attachment.sha256} | recorded
    _record_altered(
        attachment.document, f"attachment:{attachment.pk}", attachment.file.name, found, expected
    )
    raise OriginalAltered(attachment.file.name, found)


def _record_altered(
    document: Any, what: str, name: str, found: str | None, expected: set[str]
) -> None:
    noted = Event.objects.filter(
        document_id=document.pk,
        kind=Event.Kind.ORIGINAL_ALTERED,
        data__found=found,
        data__rendition=what,
    )
    with transaction.atomic():
        if noted.exists():
            return
        logger.error(
            "stored file %s of document %s altered: %s, expected %s",
            name,
            document.pk,
            found,
            sorted(expected),
        )
        audit.record(
            document=document,
            actor=None,
            kind=Event.Kind.ORIGINAL_ALTERED,
            data={
                "rendition": what,
                "file": name,
                "found": found,
                "expected": sorted(expected),
            },
        )
