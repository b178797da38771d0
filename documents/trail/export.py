"""The trail of one document or one period, exported for verification outside Văn thư with
documents/audit_format.py alone (docs/security.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.db.models import Q
from django.utils import timezone

from documents import audit, audit_format
from documents.models import Checkpoint, Document, Event


def _event(row: Event) -> dict[str, Any]:
    return {
        "chain": row.chain,
        "seq": row.seq,
        "prev": row.prev,
        "created_at": audit.timestamp(row.created_at),
        "document": row.document_id,
        "actor": row.actor_id,
        "role": row.role,
        "kind": row.kind,
        "comment": row.comment,
        "data": row.data,
        "hash": row.hash,
        # Context for a reader, outside the hash.
        "actor_username": row.actor.get_username() if row.actor else "",
        "kind_label": str(row.get_kind_display()),
    }


def _checkpoint(row: Checkpoint) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "prev": row.prev,
        "created_at": audit.timestamp(row.created_at),
        "heads": row.heads,
        "hash": row.hash,
        "signature": row.signature,
        "signer": row.signer,
    }


def export(
    *,
    document: Document | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """One document's whole chain (with every checkpoint that sealed it), or every event
    written from ``start`` to ``end`` inclusive in the agency's time zone (with the checkpoints
    made in that time and the first one after it)."""
    events = Event.objects.select_related("actor").order_by("chain", "seq")
    checkpoints = Checkpoint.objects.order_by("seq")
    if document is not None:
        chain = audit_format.document_chain(document.pk)
        events = events.filter(chain=chain)
        # JSON key lookups differ between databases; the heads are read in Python.
        chosen = [c for c in checkpoints if chain in c.heads]
        scope: dict[str, Any] = {"document": document.pk, "notation": document.notation}
    else:
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(start or dt.date.min, dt.time.min, zone) if start else None
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone) if end else None
        window = Q()
        if since is not None:
            window &= Q(created_at__gte=since)
        if until is not None:
            window &= Q(created_at__lt=until)
        events = events.filter(window)
        inside = list(checkpoints.filter(window))
        after = checkpoints.filter(created_at__gte=until).first() if until else None
        chosen = inside + ([after] if after is not None and after not in inside else [])
        scope = {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        }
    return {
        "format": audit_format.FORMAT,
        "exported_at": audit.timestamp(timezone.now()),
        "scope": scope,
        "events": [_event(row) for row in events],
        "checkpoints": [_checkpoint(row) for row in chosen],
    }


CSV_COLUMNS = (*audit_format.EVENT_FIELDS, "hash", "actor_username", "kind_label")


def to_csv(exported: dict[str, Any]) -> str:
    """The events as CSV (one row each, ``data`` as canonical JSON); the checkpoints and
    their signatures travel in the JSON export."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for event in exported["events"]:
        row = dict(event)
        row["data"] = audit_format._dumps(event["data"]).decode()
        row["document"] = "" if event["document"] is None else event["document"]
        row["actor"] = "" if event["actor"] is None else event["actor"]
        writer.writerow(row)
    return buffer.getvalue()
