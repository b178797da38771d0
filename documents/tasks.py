"""Background jobs of documents (Celery; in-process where no broker is configured)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import originals


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),  # the database away a moment: again
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
)
def make_signed_original(document_id: int, kind: str) -> None:
    """documents.originals.make_signed_original: render and sign one original, once (the
    outcome is in the trail; no result is kept)."""
    originals.make_signed_original(document_id=document_id, kind=kind)
