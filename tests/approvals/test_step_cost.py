"""What a document's whole life costs in queries, pinned so that an N+1 or a step that starts
reading or writing row by row fails CI (issue 13: at most twice a bare viewflow flow of the
same shape, benchmarks/lifecycle.py; 2.1 times since the follow-up of issue 15, 2.25 since
the hash-chained trail of issue 16). The PDFs
are stubbed, as in the benchmark: their cost is the signing's, measured there. No time is
asserted here."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import services
from benchmarks import bareflow, lifecycle, templates
from documents import services as documents
from documents.models import Document, Event, Unit

# Measured with five receipts: 261 queries on SQLite, 272 on PostgreSQL (bare flow: 120).
# 258/269 before the search entries (issue 17): creating a draft reads what hangs from it
# and writes its entry (two statements), issuing adds its số ký hiệu to it (one UPDATE).
# 239 before the follow-up (issue 15), which reads whether a document assigns tasks (its
# content hash, its issuance), whether a submitted draft is a report, and, at each
# acknowledgement, whether that receipt is the report its plan's follow-up unit awaited (one
# statement each); 247 before the hash-chained trail (issue 16), which reads the last link
# of the document's chain for each of the 11 events and, on PostgreSQL, takes the chain's
# advisory lock first (documents.audit).
LIFECYCLE_MAX = 273
LIFECYCLE_RATIO_MAX = 2.275
# Each more recipient unit: its receipt (+ history), task, acknowledgement and trail (and
# the follow-up's look for an awaited report, the trail's chain link and lock).
PER_RECEIPT_MAX = 25
# The two signed originals' jobs, on the worker (PDFs stubbed).
JOBS_MAX = 16


def _fresh(users, *names) -> list[User]:
    # A new object per step, as each request loads its user: no cache carried across steps.
    return [User.objects.get(pk=users[name].pk) for name in names]


def _life(users, seed_plan, units: list[Unit]) -> tuple[int, Document]:
    """The steps' queries (what people wait for); the signed originals' jobs run between
    the steps, apart, as on the worker (benchmarks.lifecycle.Worker)."""
    worker = lifecycle.Worker()
    step = lifecycle.Steps(worker)
    (drafter,) = _fresh(users, "chuyenvien")
    with worker.installed():
        document = step(
            lambda: documents.document_create(
                actor=drafter,
                organization=seed_plan.organization,
                document_type=seed_plan.document_type,
                subject="Kế hoạch thử",
                body=seed_plan.body,
                recipients=[documents.RecipientSpec("Các đơn vị", units)],
            )
        )
        step(
            lambda: services.document_submit(
                document=document, actor=drafter, signer=users["phogiamdoc"]
            )
        )
        (signer,) = _fresh(users, "phogiamdoc")
        step(lambda: services.document_decide(document=document, actor=signer, decision="approve"))
        (clerk,) = _fresh(users, "vanthu")
        step(lambda: services.document_issue(document=document, actor=clerk))
        for receipt in document.receipts.select_related("assignee"):
            step(lambda r=receipt: services.receipt_acknowledge(receipt=r, actor=r.assignee))
    jobs, queries = worker.by_task["documents.tasks.make_signed_original"]
    assert jobs == 2 and queries <= JOBS_MAX, queries  # the e-mails besides: no queries
    assert worker.queries == queries
    document.refresh_from_db()
    return step.queries, document


@pytest.fixture
def stubbed_pdfs():
    with templates.pdfs_stubbed():
        yield


def test_a_whole_life_costs_at_most_twice_a_bare_flow(users, seed_plan, stubbed_pdfs):
    units = list(Unit.objects.filter(abbreviation__in=[*templates.SLOTS, "VT"]))
    assert len(units) == 5
    _life(users, seed_plan, units)  # warm: content types, permission ids
    queries, document = _life(users, seed_plan, units)
    assert document.status == Document.Status.ARCHIVED
    assert document.events.filter(kind=Event.Kind.ACKNOWLEDGED).count() == 5

    with CaptureQueriesContext(connection) as bare:
        bareflow.run_once(owner=users["chuyenvien"], branch_owners=[u.receiver for u in units])
    bareflow.delete_runs()
    assert queries <= LIFECYCLE_MAX, queries
    assert queries <= LIFECYCLE_RATIO_MAX * len(bare), (queries, len(bare))


def test_each_more_recipient_costs_the_same(users, seed_plan, stubbed_pdfs):
    """Distribution and acknowledgements grow by a fixed amount per unit: no query in the
    distribution is repeated per unit (bulk receipts, grants and access rows)."""
    units = list(Unit.objects.filter(receiver__isnull=False).order_by("pk"))
    assert len(units) >= 6
    _life(users, seed_plan, units[:2])
    two, _ = _life(users, seed_plan, units[:2])
    six, document = _life(users, seed_plan, units[:6])
    assert document.receipts.count() == 6
    assert (six - two) / 4 <= PER_RECEIPT_MAX, (two, six)


def test_a_step_is_one_transaction_without_savepoints_of_its_own(users, seed_plan, stubbed_pdfs):
    """Inside a step the documents' services join the flow lock's transaction: the only
    savepoint is the lock's own (here nested in the test's transaction), none per service."""
    units = list(Unit.objects.filter(abbreviation__in=[*templates.SLOTS, "VT"]))
    _life(users, seed_plan, units[:1])  # warm
    (drafter,) = _fresh(users, "chuyenvien")
    document = documents.document_create(
        actor=drafter,
        organization=seed_plan.organization,
        document_type=seed_plan.document_type,
        subject="Kế hoạch thử",
        recipients=[documents.RecipientSpec("Các đơn vị", units)],
    )
    services.document_submit(document=document, actor=drafter, signer=users["phogiamdoc"])
    services.document_decide(document=document, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=document, actor=users["vanthu"])
    receipt = document.receipts.select_related("assignee").first()
    with CaptureQueriesContext(connection) as queries:
        services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    receipt.refresh_from_db()
    assert receipt.status == receipt.Status.ACKNOWLEDGED
