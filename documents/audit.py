"""Writing the event log. Every service calls ``record`` in its own transaction.

Each event is appended to its hash chain (documents.audit_format): one chain per document, and
the "system" chain for rights and organisation changes (``record_system``). Writers of one
chain are serialised: on PostgreSQL by a transaction-level advisory lock per chain (work on
different documents never waits on each other), on SQLite by its write lock, which every
transaction takes when it begins (IMMEDIATE, config/settings.py). Should two writers still
race, they collide on the (chain, seq) unique constraint rather than fork the chain."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from . import audit_format
from .models import Document, Event

# The first key of this application's PostgreSQL advisory locks (the second: the document id,
# 0 for the system chain).
LOCK_NAMESPACE = 0x7654  # "vT"


def role_of(user: User | None) -> str:
    """The role a person acted in, as shown in the timeline: their position and unit."""
    if user is None:
        return "Hệ thống"
    from .permissions import profile_of  # unit and position in one query, kept on the user

    profile = profile_of(user)
    if profile is None:
        return ""
    return f"{profile.position.name}, {profile.unit.name}"


def timestamp(moment: dt.datetime) -> str:
    """An event time as the chain hashes it: UTC, microseconds, Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stored_json(data: dict[str, Any] | None) -> Any:
    """The value as the JSON column gives it back (dates become strings, and so on)."""
    if not data:
        return {}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _append(
    *,
    chain: str,
    document: Document | None,
    actor: User | None,
    role: str,
    kind: str,
    comment: str,
    data: Any,
) -> Event:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            lock_key = document.pk if document is not None else 0
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, lock_key])
    last = (
        Event.objects.filter(chain=chain)
        .order_by("-seq")
        .values_list("seq", "hash", "created_at")
        .first()
    )
    seq, prev = (last[0] + 1, last[1]) if last else (1, audit_format.GENESIS)
    # Never dated before the event it follows (a clock set back): a chain is in time order.
    created_at = max(timezone.now(), last[2]) if last else timezone.now()
    document_id = document.pk if document is not None else None
    actor_id = actor.pk if actor is not None else None
    digest = audit_format.event_hash(
        chain, seq, prev, timestamp(created_at), document_id, actor_id, role, kind, comment, data
    )
    return Event.objects.create(
        document=document,
        actor=actor,
        role=role,
        kind=kind,
        comment=comment,
        data=data,
        created_at=created_at,
        chain=chain,
        seq=seq,
        prev=prev,
        hash=digest,
    )


def record(
    *,
    document: Document,
    actor: User | None,
    kind: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the document's chain."""
    return _record(audit_format.document_chain(document.pk), document, actor, kind, comment, data)


def record_system(
    *, actor: User | None, kind: str, comment: str = "", data: dict[str, Any] | None = None
) -> Event:
    """Append one event to the system chain (rights, roles, organisation)."""
    return _record(audit_format.SYSTEM_CHAIN, None, actor, kind, comment, data)


def _record(
    chain: str,
    document: Document | None,
    actor: User | None,
    kind: str,
    comment: str,
    data: dict[str, Any] | None,
) -> Event:
    with transaction.atomic(savepoint=False):  # the chain's lock lasts to the commit
        return _append(
            chain=chain,
            document=document,
            actor=actor,
            role=role_of(actor),
            kind=kind,
            comment=comment,
            data=_stored_json(data),
        )
