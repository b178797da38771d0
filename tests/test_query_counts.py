"""Every main page costs the same number of queries whatever the data, and at most 20.

The seed plan is taken through the workflow with the services ``ROUNDS_SMALL`` times, every
page is requested by each main role and its queries counted; then more rounds are added and
the pages are counted again. A page whose count grows with the rows it shows (an N+1) or
with the data behind it fails here; times stay out of the tests (the benchmark measures them).

Each round leaves a document in every state each role has work or history in, so every page
has rows at both sizes for every role: one submitted to the Phó Giám đốc and one to the Giám
đốc (their inboxes), one returned (the chuyên viên's inbox) and one returned and submitted
again (the chuyên viên's archive), one signed off (the văn thư's queue), one issued (receipts
and acknowledge tasks of every recipient unit, the Ban Giám đốc included) and one archived,
signed off by the Giám đốc (everyone's archive and history). A round signs for real three
times, so the sizes stay small: 1 and 3 rounds already differ in every list's rows (1 against
3, or ten documents against a full page of 20), which is what an N+1 shows in.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from approvals import services
from documents import services as documents
from documents.models import Document, Unit
from tests.conftest import ISSUE_DATE

ROLES = ("chuyenvien", "phogiamdoc", "vanthu", "congan", "giamdoc")
ROUNDS_SMALL, ROUNDS_LARGE = 1, 3
MAX_QUERIES = 20
# Pages allowed above MAX_QUERIES: none. (The document page was 26 until the person's
# memberships, units and profile were read once per request and its pending receipts taken
# from the receipts it lists anyway.)
OVER_BUDGET: dict[str, int] = {}
# The units every document of the test is sent to: Công an, the offices, the records office
# (Lưu: VT) and the Ban Giám đốc, so each role below has receipts to list.
RECIPIENT_UNITS = ("CA", "VP", "VT", "BGĐ")
ALWAYS_EMPTY = {("queue", role) for role in ROLES if role != "vanthu"}


def pages(document: Document, process_pk: int) -> dict[str, str]:
    """The main pages, for the archived document of the last round and its process."""
    filtered = urlencode(
        {
            "status": Document.Status.ARCHIVED,
            "document_type": document.document_type_id,
            "drafting_unit": document.drafting_unit_id,
            "year": ISSUE_DATE.year,
        }
    )
    return {
        "home": "/documents/",
        "documents": "/documents/van-ban/",
        "documents filtered": f"/documents/van-ban/?{filtered}",
        "documents search": "/documents/van-ban/?_search=giao+th%C3%B4ng",
        "document": f"/documents/van-ban/{document.pk}/",
        "receipts": "/documents/phieu-nhan/",
        "notifications": "/documents/thong-bao/",
        "inbox": "/document/inbox/",
        "queue": "/document/queue/",
        "archive": "/document/archive/",
        "tasks": "/document/tasks/",
        "flows": "/document/flows/",
        "chart": f"/document/{process_pk}/chart/",
    }


def new_document(users, seed_plan, label: str) -> Document:
    units = list(Unit.objects.filter(abbreviation__in=RECIPIENT_UNITS))
    return documents.document_create(
        actor=users.chuyenvien,
        organization=seed_plan.organization,
        document_type=seed_plan.document_type,
        subject=f"{seed_plan.subject} ({label})",
        body=seed_plan.body,
        recipients=[documents.RecipientSpec("Các đơn vị", units)],
    )


def one_round(users, seed_plan, n: int) -> Document:
    """Documents in every state that gives a role rows; returns the archived one."""

    def submitted(label, signer):
        document = new_document(users, seed_plan, f"{label} {n}")
        services.document_submit(document=document, actor=users.chuyenvien, signer=signer)
        return document

    def approved(label, signer):
        document = submitted(label, signer)
        services.document_decide(document=document, actor=signer, decision="approve")
        return document

    def issued(label, signer):
        document = approved(label, signer)
        services.document_issue(document=document, actor=users.vanthu, issued_on=ISSUE_DATE)
        return document

    new_document(users, seed_plan, f"draft {n}")
    submitted("submitted", users.phogiamdoc)
    submitted("submitted", users.giamdoc)
    returned = submitted("returned", users.phogiamdoc)
    services.document_decide(
        document=returned, actor=users.phogiamdoc, decision="return", comment="Sửa lại."
    )
    resubmitted = submitted("resubmitted", users.phogiamdoc)
    services.document_decide(
        document=resubmitted, actor=users.phogiamdoc, decision="return", comment="Sửa lại."
    )
    services.document_submit(document=resubmitted, actor=users.chuyenvien, signer=users.phogiamdoc)
    approved("signed", users.phogiamdoc)
    issued("issued", users.phogiamdoc)
    archived = issued("archived", users.giamdoc)
    for receipt in archived.receipts.select_related("assignee"):
        services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    archived.refresh_from_db()
    assert archived.status == Document.Status.ARCHIVED
    return archived


def count_queries(clients: dict[str, Client], archived: Document) -> dict[tuple[str, str], int]:
    """(page, role) → queries of one GET, after a first GET of the same page (warm caches).
    Every list shows rows (a list with none may skip a query), but the queue of anyone other
    than the văn thư, which is always empty: only the văn thư's role may take a task."""
    counts = {}
    process = archived.processes.get()
    for role, client in clients.items():
        for page, path in pages(archived, process.pk).items():
            assert client.get(path).status_code == 200, (role, path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (role, path)
            counts[page, role] = len(captured.captured_queries)
            rows = (response.context or {}).get("object_list")
            if rows is not None and (page, role) not in ALWAYS_EMPTY:
                assert len(rows) > 0, f"{page} shows no row to {role}"
    return counts


@pytest.mark.django_db
def test_every_page_costs_the_same_queries_at_two_sizes(users, seed_plan, capsys):
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(users[role])
    archived = None
    for n in range(ROUNDS_SMALL):
        archived = one_round(users, seed_plan, n)
    assert archived is not None
    small = count_queries(clients, archived)
    for n in range(ROUNDS_SMALL, ROUNDS_LARGE):
        archived = one_round(users, seed_plan, n)
    large = count_queries(clients, archived)

    page_names = list(dict.fromkeys(page for page, _ in small))
    with capsys.disabled():
        print(f"\nQueries per page ({ROUNDS_SMALL} → {ROUNDS_LARGE} rounds through the workflow)")
        print(f"{'page':<20}" + "".join(f"{role:>16}" for role in ROLES))
        for page in page_names:
            cells = []
            for role in ROLES:
                a, b = small[page, role], large[page, role]
                cells.append(f"{a:>16}" if a == b else f"{f'{a} → {b}':>16}")
            print(f"{page:<20}" + "".join(cells))
    grown = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    too_many = {
        key: large[key] for key in large if large[key] > OVER_BUDGET.get(key[0], MAX_QUERIES)
    }
    assert not grown, f"query counts grow with the data: {grown}"
    assert not too_many, f"more than {MAX_QUERIES} queries (or OVER_BUDGET): {too_many}"
