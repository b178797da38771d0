"""Lists count at most CAP rows (approvals.ui.pagination): past it they say "hơn …", page up to
the cap, and their COUNT reads at most CAP + 1 rows whatever the table holds. The cap is
lowered here so that a few rows cross it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from approvals import selectors
from approvals.models import Notification
from approvals.ui.pagination import CappedPaginator
from documents.models import Document


@pytest.fixture
def cap_of_five(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)


def _notifications(users, seed_plan, mine: int, unit: int) -> None:
    for i in range(mine):
        Notification.objects.create(
            recipient=users.chuyenvien, document=seed_plan, kind="issued", message=f"P{i}"
        )
    for i in range(unit):
        Notification.objects.create(
            unit=users.chuyenvien.profile.unit, document=seed_plan, kind="issued", message=f"U{i}"
        )


def test_a_list_under_the_cap_counts_exactly(cap_of_five, users, seed_plan):
    _notifications(users, seed_plan, mine=2, unit=2)
    paginator = CappedPaginator(selectors.notification_list_for(users.chuyenvien), 2)
    assert paginator.count == 4 and not paginator.capped
    assert paginator.count_label == "4" and paginator.num_pages == 2


def test_a_list_past_the_cap_says_more_than_and_counts_no_further(cap_of_five, users, seed_plan):
    _notifications(users, seed_plan, mine=4, unit=4)
    feed = selectors.notification_list_for(users.chuyenvien)
    assert feed.count() == 8
    assert feed.count_up_to(6) == 6
    paginator = CappedPaginator(feed, 2)
    assert paginator.count == 5 and paginator.capped
    assert paginator.count_label == "hơn 5"
    assert paginator.num_pages == 3
    assert [n.message for n in paginator.page(1)] == ["U3", "U2"]


def test_the_count_is_grouped_by_thousands_in_the_language(settings):
    paginator = CappedPaginator(list(range(2500)), 20)
    assert paginator.count_label == "hơn 1.000"
    with translation.override("en"):
        assert paginator.count_label == "more than 1,000"


def test_the_count_query_is_limited(cap_of_five, users, seed_plan):
    documents = Document.objects.order_by("-created_at")
    with CaptureQueriesContext(connection) as queries:
        paginator = CappedPaginator(documents, 2)
        assert paginator.count == min(documents.count(), 5)
    (count_sql,) = [q["sql"] for q in queries.captured_queries if "COUNT" in q["sql"]][:1]
    assert "LIMIT 6" in count_sql and "ORDER BY" not in count_sql


def test_the_pages_show_the_capped_count(monkeypatch, users, seed_plan):
    monkeypatch.setattr(CappedPaginator, "cap", 35)  # above a page (30 notifications)
    _notifications(users, seed_plan, mine=20, unit=20)
    client = Client()
    client.force_login(users.chuyenvien)
    page = client.get("/documents/thong-bao/").text
    assert "hơn 35" in page and "Trang 1" in page
    last = client.get("/documents/thong-bao/?page=2")
    assert last.status_code == 200 and len(last.context["notifications"]) == 5
    # viewflow's lists (the document list) say it in their summary
    listing = client.get("/documents/van-ban/")
    assert listing.status_code == 200
    paginator = listing.context["paginator"]
    assert isinstance(paginator, CappedPaginator)
