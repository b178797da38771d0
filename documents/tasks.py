"""Background jobs of documents (Celery; in-process where no broker is configured)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

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


@shared_task(ignore_result=True)
def requeue_overdue_originals(after_seconds: int = 300, within_days: int = 7) -> int:
    """Beat, every few minutes: a signed original still missing five minutes after its step,
    and not failed, lost its job with a worker killed outright; it is asked for again (the job
    makes it once, whoever runs first). Returns how many were asked for."""
    overdue = originals.overdue(
        now=timezone.now(),
        after=timedelta(seconds=after_seconds),
        within=timedelta(days=within_days),
    )
    for document_id, kind in overdue:
        make_signed_original.delay(document_id, kind)
    return len(overdue)


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database away a moment: again
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def send_assignment_reminders() -> dict[str, int]:
    """Beat, every hour: documents.followup.reminders.send_due_reminders. Each reminder is
    sent once per deadline whoever runs first, so running it again (a retry, a second beat, the
    cron command as well) sends nothing more. Returns the counts per kind."""
    from .followup import reminders  # notifications live in approvals: imported when run

    return reminders.send_due_reminders()


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def seal_audit_trail() -> int | None:
    """Beat, every day: a checkpoint over the trail's chains that moved (documents.trail.seal).
    Returns its number, None when nothing moved. A failure to sign raises (the worker's log
    and the next day's run show it); nothing half-made is left."""
    from . import trail

    checkpoint = trail.seal()
    return checkpoint.seq if checkpoint is not None else None
