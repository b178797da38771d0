"""The follow-up dashboard in the browser: the leader opens it from the menu and sees the
chart, one bar per unit in charge, drawn by the server (no script, nothing from a CDN)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Assignment, Document
from tests.conftest import SEED_SUBJECT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = Assignment.Status


def seed_plan_under_way() -> Document:
    """The seed plan as issued, its four assignments in different states (set directly: the
    browser's event loop must not meet the signing that issuance runs)."""
    today = timezone.localdate()
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    Document.objects.filter(pk=plan.pk).update(
        status=Document.Status.ISSUED, notation="01/KH-STTTT", number=1, issued_on=today
    )
    rows = {row.position: row.pk for row in plan.assignments.all()}
    assert len(rows) == 4

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    progress = {
        0: {"status": S.NOT_STARTED, "due_on": day(-10)},  # Văn phòng: overdue
        1: {"status": S.REPORTED, "due_on": day(-5), "reported_on": day(-6)},  # TTBCXB: on time
        2: {"status": S.DONE, "due_on": day(-20), "reported_on": day(-15)},  # BCVTCNTT: late
        3: {"status": S.IN_PROGRESS, "due_on": day(20)},  # Văn phòng, not yet due
    }
    for position, fields in progress.items():
        Assignment.objects.filter(pk=rows[position]).update(activated_on=day(-30), **fields)
    return plan


def test_leader_sees_the_chart_one_bar_per_unit(demo_live, person, screenshots, live_server):
    seed_plan_under_way()
    leader = person("giamdoc")
    leader.goto("/documents/")
    leader.page.get_by_test_id("menu-followup").click()
    leader.page.wait_for_load_state("networkidle")
    page = leader.page
    expect(page.get_by_test_id("followup-summary")).to_be_visible()

    chart = page.get_by_test_id("followup-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("svg[role=img]")).to_be_visible()
    bars = chart.get_by_test_id("chart-bar")
    expect(bars).to_have_count(3)  # Văn phòng, TTBCXB, BCVTCNTT
    expect(chart.locator("rect[data-series]")).to_have_count(3)
    expect(chart.locator("rect[data-series=overdue]")).to_have_count(1)
    overdue_bar = chart.locator("rect[data-series=overdue]")
    box = overdue_bar.bounding_box()
    assert box is not None and box["width"] > 50  # drawn, and at full scale
    expect(page.get_by_test_id("overdue-row")).to_have_count(1)
    expect(page.get_by_test_id("overdue-row")).to_contain_text("Văn phòng")

    page.screenshot(path=screenshots / "20-giamdoc-theo-doi-thuc-hien.png", full_page=True)
    chart.screenshot(path=screenshots / "20b-bieu-do-dung-han-tre-han-qua-han.png")
    # Everything the page asked for came from the site itself.
    assert all(url.startswith(live_server.url) for url in leader.requested)

    page.get_by_test_id("followup-print").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("place-date")).to_contain_text("Bình Phước, ngày")
    expect(page.get_by_test_id("chart-bar")).to_have_count(3)
    page.screenshot(path=screenshots / "20c-giamdoc-theo-doi-ban-in.png", full_page=True)
