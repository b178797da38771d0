"""Sealing the trail: a checkpoint over the heads of the chains that moved since the last one,
chained to it and signed by the agency."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Window
from django.utils import timezone

from documents import audit, audit_format
from documents.models import Checkpoint, Event, SealedHead

logger = logging.getLogger(__name__)

SEAL_LOCK = -1  # the advisory lock key (second half) that serialises sealing on PostgreSQL


class SealError(Exception):
    """A checkpoint could not be made (the agency cannot sign); nothing was written."""


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

    from documents import signers

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
