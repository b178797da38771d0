"""The audit trail's hash chain, and a verifier for an exported trail.

This file is deliberately free of Django: the application builds its chains with it, and an
inspector verifies an exported trail with it alone (Python's standard library, plus pyHanko for
the checkpoints' signatures)::

    python audit_format.py trail.json --trust root-ca.pem

The format (docs/security.md):

* Every event belongs to one chain (``d:<document id>`` for a document's events, ``system`` for
  rights and organisation changes). Its ``seq`` counts from 1 in its chain; ``prev`` is the
  hash of the event before it (64 zeros for the first) and ``hash`` is the SHA-256 of its
  canonical form, ``canonical_event``.
* A checkpoint seals the heads of the chains that moved since the previous checkpoint
  (``heads``: chain → [seq, hash]); checkpoints form a chain of their own and each is signed by
  the agency (a detached CMS signature over the checkpoint's hash, in hex ASCII).
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    # Run as a file from inside the project (python documents/audit_format.py): its folder is
    # first on the path, and its modules (selectors.py…) would shadow the standard library's.
    import os

    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import base64  # noqa: E402
import csv  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT = "vanthu-audit/1"
VERSION = 1
GENESIS = "0" * 64
SYSTEM_CHAIN = "system"
# Event fields in their canonical order; an export carries these plus "hash" (and, outside the
# hash, helpful context such as the actor's user name).
EVENT_FIELDS = (
    "chain",
    "seq",
    "prev",
    "created_at",
    "document",
    "actor",
    "role",
    "kind",
    "comment",
    "data",
)


def document_chain(document_id: int) -> str:
    return f"d:{document_id}"


def chain_of(document_id: int | None) -> str:
    """The chain an event of this document (None: no document) must be on."""
    return SYSTEM_CHAIN if document_id is None else document_chain(document_id)


# One encoder for every event: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def canonical_event(
    chain: str,
    seq: int,
    prev: str,
    created_at: str,
    document: int | None,
    actor: int | None,
    role: str,
    kind: str,
    comment: str,
    data: Any,
) -> bytes:
    """The bytes an event's hash covers. ``created_at`` is UTC, ISO 8601 with microseconds
    and a Z (``timestamp``); ``data`` is the JSON value as stored."""
    return _dumps(
        [VERSION, chain, seq, prev, created_at, document, actor, role, kind, comment, data]
    )


def event_hash(*fields: Any) -> str:
    """SHA-256 (hex) of ``canonical_event(*fields)``, fields in EVENT_FIELDS order."""
    return hashlib.sha256(canonical_event(*fields)).hexdigest()


def canonical_checkpoint(
    seq: int, prev: str, created_at: str, heads: Mapping[str, list[Any]]
) -> bytes:
    return _dumps([VERSION, "checkpoint", seq, prev, created_at, heads])


def checkpoint_hash(seq: int, prev: str, created_at: str, heads: Mapping[str, list[Any]]) -> str:
    return hashlib.sha256(canonical_checkpoint(seq, prev, created_at, heads)).hexdigest()


class ChainWalker:
    """Checks events in chain order, one at a time, remembering each chain's last link.

    ``feed`` returns None when the event is sound, else the reason it is not. A chain may start
    anywhere (an export of one period starts in the middle of chains): its first event's
    ``prev`` is taken as given unless ``from_start`` is set, when it must be the genesis."""

    def __init__(self, *, from_start: bool = True) -> None:
        self.from_start = from_start
        self.last: dict[str, tuple[int, str, str]] = {}
        self.count = 0

    def feed(self, event: Mapping[str, Any]) -> str | None:
        chain, seq, created = event["chain"], event["seq"], event["created_at"]
        fields = [event[name] for name in EVENT_FIELDS]
        self.count += 1
        if event_hash(*fields) != event["hash"]:
            return "altered: its content does not match its hash"
        if chain != chain_of(event["document"]):
            return "inserted: it is not on its document's chain"
        last = self.last.get(chain)
        if last is None:
            if self.from_start and (seq != 1 or event["prev"] != GENESIS):
                return "out of order: the chain does not start with it (events before it removed?)"
        else:
            last_seq, last_hash, last_created = last
            if seq != last_seq + 1:
                return f"out of order: expected number {last_seq + 1} in its chain, found {seq}"
            if event["prev"] != last_hash:
                return "out of order: it does not follow the event before it in its chain"
            if created < last_created:
                return "out of order: it is dated before the event before it"
        self.last[chain] = (seq, event["hash"], created)
        return None


def check_checkpoints(
    checkpoints: Iterable[Mapping[str, Any]],
    heads_of: Mapping[str, Mapping[int, str]] | None = None,
) -> Iterable[tuple[Mapping[str, Any], str]]:
    """Yield (checkpoint, reason) for each unsound checkpoint: altered, out of order, or
    sealing an event that is not there. ``heads_of``: chain → {seq: hash} of the events at
    hand; a sealed head is judged when its chain is at hand and the head falls within the
    events at hand (an export holds some chains, over some span). Checkpoints may be a
    selection: the links are checked between consecutive numbers."""
    previous: tuple[int, str] | None = None
    for checkpoint in checkpoints:
        seq, prev = checkpoint["seq"], checkpoint["prev"]
        expected = checkpoint_hash(seq, prev, checkpoint["created_at"], checkpoint["heads"])
        if expected != checkpoint["hash"]:
            yield checkpoint, "altered: its content does not match its hash"
        elif previous is not None and seq <= previous[0]:
            yield checkpoint, "out of order: its number does not follow the one before it"
        elif previous is not None and seq == previous[0] + 1 and prev != previous[1]:
            yield checkpoint, "out of order: it does not follow the checkpoint before it"
        elif seq == 1 and prev != GENESIS:
            yield checkpoint, "out of order: the first checkpoint must start the chain"
        if heads_of is not None:
            for chain, (head_seq, head_hash) in checkpoint["heads"].items():
                events = heads_of.get(chain)
                if not events or not (min(events) <= head_seq <= max(events)):
                    continue
                if events.get(head_seq) != head_hash:
                    yield checkpoint, f"sealed event {chain}#{head_seq} is missing or altered"
        previous = (seq, checkpoint["hash"])


# --- the standalone verifier ------------------------------------------------------------


def _load_trust(paths: list[str]) -> list[Any]:
    from asn1crypto import pem, x509  # pyHanko's dependency

    roots: list[Any] = []
    for path in paths:
        with open(path, "rb") as handle:
            blob = handle.read()
        if pem.detect(blob):
            roots.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(blob, True))
        else:
            roots.append(x509.Certificate.load(blob))
    return roots


def check_signature(
    checkpoint: Mapping[str, Any], roots: list[Any], pinned: set[str] | None = None
) -> str | None:
    """None when the checkpoint's CMS signature covers its hash, chains to a root and, with
    ``pinned`` (SHA-256 fingerprints, hex), is made by one of those certificates: the
    agency's, not just anyone's under the same roots."""
    import asyncio

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    try:
        signed_data = cms.ContentInfo.load(base64.b64decode(checkpoint["signature"]))["content"]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = asyncio.run(
            async_validate_detached_cms(
                checkpoint["hash"].encode("ascii"), signed_data, signer_validation_context=context
            )
        )
    except Exception as error:  # a damaged signature is a finding, not a crash
        return f"signature unreadable: {error}"
    if not (status.intact and status.valid):
        return "signature does not match the checkpoint"
    if not status.trusted:
        return "signature is not from a trusted certificate"
    if pinned is not None and status.signing_cert.sha256.hex() not in pinned:
        subject = status.signing_cert.subject.human_friendly
        return f"signed by {subject}, not by the agency's certificate"
    return None


def fingerprints(paths: list[str]) -> set[str]:
    """SHA-256 fingerprints (hex) of the certificates in these PEM or DER files."""
    return {cert.sha256.hex() for cert in _load_trust(paths)}


def read_export(path: str) -> dict[str, Any]:
    """An export as JSON (what ``manage.py export_audit`` writes), or its CSV of events."""
    if path.endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        events = []
        for row in rows:
            event: dict[str, Any] = {name: row[name] for name in EVENT_FIELDS}
            event["seq"] = int(row["seq"])
            event["document"] = int(row["document"]) if row["document"] else None
            event["actor"] = int(row["actor"]) if row["actor"] else None
            event["data"] = json.loads(row["data"])
            event["hash"] = row["hash"]
            events.append(event)
        return {"format": FORMAT, "events": events, "checkpoints": []}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def verify_export(
    export: Mapping[str, Any], roots: list[Any] | None, pinned: set[str] | None = None
) -> list[str]:
    """Every finding in an export, as lines for a person; empty when it all holds."""
    if export.get("format") != FORMAT:
        return [f"not a Văn thư audit export ({FORMAT})"]
    findings = []
    # A document's export holds its whole chain: it must start at the genesis. The scope, not
    # a flag a forger could switch off, says so.
    scope = export.get("scope") or {}
    document_scope = scope.get("document") is not None
    walker = ChainWalker(from_start=document_scope)
    heads_of: dict[str, dict[int, str]] = {}
    for event in export["events"]:
        reason = walker.feed(event)
        if reason:
            findings.append(f"event {event['chain']}#{event['seq']}: {reason}")
        heads_of.setdefault(event["chain"], {})[event["seq"]] = event["hash"]
    if document_scope:
        chain = document_chain(int(scope["document"]))
        if set(heads_of) - {chain}:
            findings.append(f"events of other chains than {chain} in a document's export")
        heads_of.setdefault(chain, {})
    checkpoints = export.get("checkpoints", [])
    for checkpoint, reason in check_checkpoints(checkpoints, heads_of):
        findings.append(f"checkpoint {checkpoint['seq']}: {reason}")
    if document_scope:
        sealed = [c["heads"][chain][0] for c in checkpoints if chain in c["heads"]]
        events = heads_of[chain]
        if sealed and (not events or max(sealed) > max(events)):
            findings.append(f"events of {chain} up to #{max(sealed)} were sealed, and are missing")
    if roots is not None:
        for checkpoint in checkpoints:
            reason = check_signature(checkpoint, roots, pinned)
            if reason:
                findings.append(f"checkpoint {checkpoint['seq']}: {reason}")
    return findings


def unsealed(export: Mapping[str, Any]) -> int:
    """How many events of the export no checkpoint at hand covers (written after the last
    seal): their chain holds, but no signature vouches for them yet."""
    covered: dict[str, int] = {}
    for checkpoint in export.get("checkpoints", []):
        for chain, (seq, _hash) in checkpoint["heads"].items():
            covered[chain] = max(covered.get(chain, 0), seq)
    return sum(1 for e in export["events"] if e["seq"] > covered.get(e["chain"], 0))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Verify an exported Văn thư audit trail.")
    parser.add_argument("export", help="the .json (or .csv) file exported by Văn thư")
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        help="PEM file of a root CA trusted for the checkpoints' signatures (repeatable)",
    )
    parser.add_argument(
        "--agency-cert",
        action="append",
        default=[],
        help="PEM file of the agency's own certificate: only it may sign checkpoints (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        export = read_export(args.export)
        roots = _load_trust(args.trust) if args.trust else None
        pinned = fingerprints(args.agency_cert) if args.agency_cert else None
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 2
    findings = verify_export(export, roots, pinned)
    for line in findings:
        print(line)
    events, checkpoints = len(export["events"]), len(export.get("checkpoints", []))
    if findings:
        print(f"FAILED: {len(findings)} finding(s) in {events} events, {checkpoints} checkpoints")
        return 1
    if roots is None:
        signed = "signatures NOT checked (no --trust)"
    elif pinned is None:
        signed = "signatures checked against the roots; signer NOT pinned (no --agency-cert)"
    else:
        signed = "signatures checked, made by the agency's certificate"
    print(f"OK: {events} events and {checkpoints} checkpoints verified; {signed}")
    loose = unsealed(export)
    if loose:
        print(
            f"NOTE: {loose} event(s) written after the last checkpoint at hand: their chain holds,"
            " but no signature vouches for them yet"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
