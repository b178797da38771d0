"""The cost of one document's whole life through the services, against the bare flow.

create → submit → approve → issue → every recipient acknowledges → archived, PDFs stubbed
(documents.publishing replaced for the run), versus bareflow.BareFlow with as many branches
as the document has receipts, run alternately in the same process and database.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import services
from config import jobs
from documents import services as documents
from documents.models import Document, Receipt, Unit

from . import bareflow, templates


@dataclass(frozen=True)
class Cast:
    """Who and what the runs use, read before timing (neither side pays for its set-up)."""

    users: dict[str, User]
    units: dict[str, Unit]
    plan: Document
    bare_owner: User
    bare_receivers: list[User]


def _cast(branches: int = 5) -> Cast:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["chuyenvien", "phogiamdoc", "vanthu"])
    }
    units = {
        u.abbreviation: u for u in Unit.objects.filter(abbreviation__in=[*templates.SLOTS, "VT"])
    }
    plan = (
        Document.objects.filter(subject=templates.SEED_SUBJECT, origin=Document.Origin.OUTGOING)
        .select_related("organization", "document_type")
        .order_by("pk")
        .first()
    )
    assert plan is not None, "the seed plan is missing (run the demo seed first)"
    return Cast(
        users=users,
        units=units,
        plan=plan,
        bare_owner=users["chuyenvien"],
        bare_receivers=list(User.objects.filter(is_active=True, is_superuser=False)[:branches]),
    )


def fresh_users(cast: Cast) -> dict[str, User]:
    """New user objects for each run, as each request loads its own: nothing a run learnt of
    a person (groups, profile) is reused by the next."""
    return {name: User.objects.get(pk=user.pk) for name, user in cast.users.items()}


class Worker:
    """Stands for the Celery worker: the jobs the steps enqueue (config.jobs.after_commit:
    the signed originals) are held and run between the steps, measured apart, as they run
    on the worker, off the request. The steps measured here do not fail, so a held job is
    never one a rolled-back step asked for."""

    def __init__(self) -> None:
        self.held: list[tuple[Any, tuple, dict]] = []
        self.seconds = 0.0
        self.queries = 0
        self.jobs = 0
        self.by_task: dict[str, tuple[int, int]] = {}  # name → (jobs, queries)

    @contextmanager
    def installed(self) -> Iterator[Worker]:
        saved = jobs.after_commit
        def hold(task: Any, *args: Any, **kwargs: Any) -> None:
            self.held.append((task, args, kwargs))

        jobs.after_commit = hold
        try:
            yield self
        finally:
            jobs.after_commit = saved

    def run(self) -> None:
        while self.held:
            task, args, kwargs = self.held.pop(0)

            def job(task=task, args=args, kwargs=kwargs) -> None:
                task.apply(args=args, kwargs=kwargs, throw=True)

            seconds, queries = _timed(job)
            self.seconds += seconds
            self.queries += queries
            self.jobs += 1
            count, total = self.by_task.get(task.name, (0, 0))
            self.by_task[task.name] = (count + 1, total + queries)


@dataclass
class Steps:
    """The steps' own cost (the requests'), the worker's apart."""

    worker: Worker
    seconds: float = 0.0
    queries: int = 0
    by_name: dict[str, tuple[float, int]] = field(default_factory=dict)

    def __call__(self, action: Callable[[], Any], name: str = "") -> Any:
        result: list[Any] = []
        seconds, queries = _timed(lambda: result.append(action()))
        self.seconds += seconds
        self.queries += queries
        if name:
            self.by_name[name] = (seconds, queries)
        self.worker.run()
        return result[0]


def document_life(cast: Cast, users: dict[str, User], step: Steps) -> int:
    """One document's whole life, each service call measured by ``step``."""
    plan = cast.plan
    document = step(
        lambda: documents.document_create(
            actor=users["chuyenvien"],
            organization=plan.organization,
            document_type=plan.document_type,
            subject=plan.subject,
            body=plan.body,
            recipients=templates.recipients(cast.units),
        )
    )
    step(
        lambda: services.document_submit(
            document=document, actor=users["chuyenvien"], signer=users["phogiamdoc"]
        )
    )
    step(
        lambda: services.document_decide(
            document=document, actor=users["phogiamdoc"], decision="approve"
        ),
        name="approve",
    )
    step(lambda: services.document_issue(document=document, actor=users["vanthu"]), name="issue")
    receipts = list(document.receipts.select_related("assignee"))
    for receipt in receipts:
        assignee = receipt.assignee
        assert assignee is not None  # an issued document's receipts are assigned

        def acknowledge(receipt: Receipt = receipt, assignee: User = assignee) -> Receipt:
            return services.receipt_acknowledge(receipt=receipt, actor=assignee)

        step(acknowledge)
    document.refresh_from_db()
    if document.status != Document.Status.ARCHIVED:
        raise RuntimeError(f"lifecycle ended as {document.status}")
    return len(receipts)


def _bare_life(cast: Cast, branches: int) -> None:
    bareflow.run_once(owner=cast.bare_owner, branch_owners=cast.bare_receivers[:branches])


def _timed(action) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def measure(*, repeats: int = 5) -> dict:
    """Medians of ``repeats`` alternating runs (after one warm-up of each). The document's
    steps are what a person waits for; the signed originals' jobs run on the worker and are
    reported apart."""
    app, bare, work, approve = [], [], [], []
    receipts = 5
    cast = _cast()
    worker = Worker()
    with templates.pdfs_stubbed(), worker.installed():
        for round_number in range(repeats + 1):
            users = fresh_users(cast)
            worker.seconds, worker.queries, worker.jobs = 0.0, 0, 0
            step = Steps(worker)
            receipts = document_life(cast, users, step)
            bare_seconds, bare_queries = _timed(lambda n=receipts: _bare_life(cast, n))
            if round_number:
                app.append((step.seconds, step.queries))
                bare.append((bare_seconds, bare_queries))
                work.append((worker.seconds, worker.queries, worker.jobs))
                approve.append(step.by_name["approve"])
    bareflow.delete_runs()
    app_ms = statistics.median(s for s, _ in app) * 1000
    bare_ms = statistics.median(s for s, _ in bare) * 1000
    app_q = max(q for _, q in app)
    bare_q = max(q for _, q in bare)
    return {
        "receipts": receipts,
        "repeats": repeats,
        "app_ms": round(app_ms, 1),
        "app_queries": app_q,
        "bare_ms": round(bare_ms, 1),
        "bare_queries": bare_q,
        "time_ratio": round(app_ms / bare_ms, 2),
        "query_ratio": round(app_q / bare_q, 2),
        "worker_jobs": max(j for _, _, j in work),
        "worker_ms": round(statistics.median(s for s, _, _ in work) * 1000, 1),
        "worker_queries": max(q for _, q, _ in work),
        "approve_ms": round(statistics.median(s for s, _ in approve) * 1000, 1),
        "approve_queries": max(q for _, q in approve),
    }
