"""The seed plan's follow-up in a browser, in Vietnamese: the văn thư issues the plan and its
assignments come to life; Phòng TTBCXB reports on its own from "Việc của tôi"; Văn phòng
acknowledges the report (the assignment is then "Đã báo cáo") and compiles its report to the
province from it. The plan's and the reports' sign-off (and the reports' issuance) go through
approvals.services, in a thread of their own (see `in_thread`): the browser is asked only
for the follow-up's own screens."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from approvals import services
from documents.models import Assignment, Document
from tests.conftest import SEED_SUBJECT
from tests.e2e.test_lifecycle import submit_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESULT = "Đã đăng 24 tin, bài tuyên truyền về an toàn giao thông trên Cổng thông tin điện tử."
COMPILED_TO = "Ủy ban nhân dân tỉnh (qua Thường trực Ban ATGT tỉnh)"
# A step that makes a signed original (sign-off, issuance) renders and signs a PDF in the
# live server's request, at once (tests/conftest.py: jobs_at_once): more than expect's 5 s
# on a busy machine.
SIGNING = 30_000


def in_thread(step) -> None:
    """Run workflow services outside this thread: the signed original they make is signed
    with pyHanko, whose asyncio.run Playwright's running loop in this thread refuses (as in
    test_originals)."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            step()
        except BaseException as error:  # noqa: BLE001 — raised again in the test's thread
            failed.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the workflow step took more than two minutes"
    if failed:
        raise failed[0]


def signed_off_and_issued(document: Document, users, *, issue: bool = True):
    def step() -> None:
        services.document_decide(document=document, actor=users["phogiamdoc"], decision="approve")
        if issue:
            services.document_issue(document=document, actor=users["vanthu"])

    return step


def test_plan_tasks_reported_by_a_unit_and_compiled_by_van_phong(demo_live, person, screenshots):
    users = {u.username: u for u in get_user_model().objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    assert plan.assignments.filter(status=Assignment.Status.PLANNED).count() == 4
    assignment = plan.assignments.get(lead_unit__abbreviation="TTBCXB")

    # 1. The plan submitted and signed off (not the browser's part here).
    def submitted_and_signed_off() -> None:
        services.document_submit(
            document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"]
        )
        signed_off_and_issued(plan, users, issue=False)()

    in_thread(submitted_and_signed_off)

    # 2. The văn thư issues it from its page; the page then shows the four assignments.
    clerk = person("vanthu")
    clerk.goto(f"/documents/van-ban/{plan.pk}/")
    expect(clerk.page.get_by_test_id("status")).to_have_text("Đã ký duyệt, chờ ban hành")
    # Part of the signed content, the tasks are shown before issuance, not yet in force.
    expect(clerk.page.locator("[data-testid=assignment][data-state=planned]")).to_have_count(4)
    expect(clerk.page.get_by_test_id("plan-assignments")).to_contain_text("Chưa hiệu lực")
    clerk.page.get_by_test_id("actions").get_by_role("link", name="Cho số, ban hành").click()
    clerk.page.check("input[name=confirm]")
    clerk.page.get_by_role("button", name="Cho số, ban hành").click()
    expect(clerk.page.get_by_test_id("status")).to_have_text(
        "Đã ban hành, chờ xác nhận", timeout=SIGNING
    )
    plan.refresh_from_db()
    assert plan.notation == "01/KH-STTTT"
    section = clerk.page.get_by_test_id("plan-assignments")
    expect(section).to_contain_text("Phân công thực hiện")
    rows = section.get_by_test_id("assignment")
    expect(rows).to_have_count(4)
    ttbcxb_row = section.locator("[data-testid=assignment][data-unit=TTBCXB]")
    expect(ttbcxb_row).to_contain_text(assignment.task[:60])
    expect(ttbcxb_row).to_contain_text("Phòng Thông tin - Báo chí - Xuất bản")
    # Due 31/12/2020, and issued today: every task is late already.
    expect(ttbcxb_row).to_contain_text("31/12/2020")
    expect(ttbcxb_row).to_contain_text("Quá hạn")
    # The văn thư reports on nothing and compiles nothing.
    expect(clerk.page.get_by_test_id("report-assignment")).to_have_count(0)
    expect(clerk.page.get_by_test_id("compile-report")).to_have_count(0)
    section.screenshot(path=screenshots / "30-vanthu-ke-hoach-phan-cong-thuc-hien.png")

    # 3. Phòng TTBCXB's drafter finds the task in "Việc của tôi" and reports on it.
    unit = person("ttbcxb")
    unit.goto("/")
    tasks = unit.page.get_by_test_id("assignments")
    expect(tasks).to_contain_text("Nhiệm vụ được giao cho đơn vị")
    expect(tasks.get_by_test_id("assignment-item")).to_have_count(1)
    expect(tasks).to_contain_text("01/KH-STTTT")
    tasks.get_by_test_id("assignment-item").get_by_role("link").click()
    expect(unit.page.get_by_test_id("task")).to_have_text(assignment.task)
    expect(unit.page.get_by_test_id("state")).to_have_text("Quá hạn")
    expect(unit.page.get_by_test_id("reports")).to_contain_text("Chưa có báo cáo.")
    expect(unit.page.get_by_test_id("review")).to_have_count(0)  # not its own to judge
    unit.page.get_by_test_id("report-assignment").click()

    form = unit.page
    expect(form.get_by_test_id("answers")).to_contain_text(
        "Văn bản này là báo cáo của Phòng Thông tin - Báo chí - Xuất bản"
    )
    expect(form.get_by_test_id("answers")).to_contain_text("01/KH-STTTT")
    expect(form.locator("select[name=document_type] option:checked")).to_have_text("Báo cáo (BC)")
    expect(form.locator("input[name=subject]")).to_have_value(
        re.compile(r"Kết quả thực hiện nhiệm vụ theo Kế hoạch số 01/KH-STTTT")
    )
    expect(form.locator("input[name='recipients-0-text']")).to_have_value("Văn phòng")
    expect(form.locator("input[name='recipients-1-text']")).to_have_value("Lưu: VT")
    body = form.locator("textarea[name=body]")
    expect(body).to_have_value(re.compile(r"Phòng Thông tin - Báo chí - Xuất bản báo cáo kết quả"))
    expect(body).to_have_value(re.compile(r"1\. Kết quả thực hiện\n"))
    body.fill(
        body.input_value().replace("1. Kết quả thực hiện\n", f"1. Kết quả thực hiện\n{RESULT}\n", 1)
    )
    form.screenshot(path=screenshots / "31-ttbcxb-bao-cao-ket-qua.png", full_page=True)
    form.get_by_role("button", name="Lưu dự thảo").click()
    expect(form.get_by_test_id("status")).to_have_text("Dự thảo")
    expect(form.get_by_test_id("document-content")).to_contain_text(RESULT)
    expect(form.get_by_test_id("cites")).to_contain_text("Kế hoạch số 01/KH-STTTT")
    submit_to(unit, users["phogiamdoc"].pk)
    report = assignment.reports.get().document
    assert report.drafter == users["ttbcxb"]

    in_thread(signed_off_and_issued(report, users))
    report.refresh_from_db()
    assert report.notation.endswith("/BC-STTTT"), report.notation

    # Văn phòng's receiver acknowledges the report; the assignment is then "Đã báo cáo".
    office = person("chanhvanphong")
    office.goto("/")
    pending = office.page.get_by_test_id("receipts-pending")
    expect(pending).to_contain_text(report.notation)
    pending.get_by_role("link", name=report.notation).click()
    office.page.check("input[name=confirm]")
    office.page.get_by_role("button", name="Xác nhận đã nhận").click()
    expect(office.page.get_by_test_id("receipt-status")).to_have_text("Đã nhận")
    office.goto("/")
    to_review = office.page.get_by_test_id("to-review")
    expect(to_review).to_contain_text("Báo cáo nhiệm vụ chờ xem xét")
    expect(to_review.get_by_test_id("review-item")).to_have_count(1)
    to_review.get_by_test_id("review-item").get_by_role("link").click()
    expect(office.page.get_by_test_id("state")).to_have_text("Đã báo cáo")
    report_row = office.page.get_by_test_id("reports").get_by_test_id("report")
    expect(report_row).to_have_count(1)
    expect(report_row).to_contain_text(report.notation)
    expect(report_row).to_contain_text("Đã nhận")
    expect(office.page.get_by_test_id("review")).to_contain_text("Xem xét báo cáo")
    expect(office.page.get_by_test_id("assignment-history")).to_contain_text("Đã báo cáo")
    office.page.screenshot(
        path=screenshots / "32-chanhvanphong-nhiem-vu-da-bao-cao.png", full_page=True
    )

    # 4. Văn phòng's drafter compiles the report to the province from the plan's page.
    drafter = person("chuyenvien")
    drafter.goto(f"/documents/van-ban/{plan.pk}/")
    section = drafter.page.get_by_test_id("plan-assignments")
    expect(section.locator("[data-testid=assignment][data-unit=TTBCXB]")).to_contain_text(
        "Đã báo cáo"
    )
    # Văn phòng reports on its own two tasks only.
    expect(section.locator("[data-unit=VP] [data-testid=report-assignment]")).to_have_count(2)
    expect(section.get_by_test_id("report-assignment")).to_have_count(2)
    expect(section.get_by_test_id("compile-report")).to_have_text("Lập báo cáo tổng hợp")
    section.screenshot(path=screenshots / "33-chuyenvien-ke-hoach-da-bao-cao.png")
    drafter.page.get_by_test_id("compile-report").click()
    compiled_form = drafter.page
    expect(compiled_form.locator("select[name=document_type] option:checked")).to_have_text(
        "Báo cáo (BC)"
    )
    body = compiled_form.locator("textarea[name=body]")
    expect(body).to_have_value(re.compile(re.escape(f"Báo cáo số {report.notation}")))
    expect(body).to_have_value(re.compile(re.escape(RESULT)))
    expect(body).to_have_value(re.compile(r"Chưa báo cáo \(quá hạn từ ngày 31/12/2020\)\."))
    expect(compiled_form.locator("input[name='recipients-0-text']")).to_have_value(COMPILED_TO)
    compiled_form.screenshot(
        path=screenshots / "34-chuyenvien-bao-cao-tong-hop.png", full_page=True
    )
    compiled_form.get_by_role("button", name="Lưu dự thảo").click()
    expect(compiled_form.get_by_test_id("status")).to_have_text("Dự thảo")
    expect(compiled_form.get_by_test_id("document-content")).to_contain_text(report.notation)
    submit_to(drafter, users["phogiamdoc"].pk)
    compiled = (
        Document.objects.filter(drafter=users["chuyenvien"], document_type__abbreviation="BC")
        .exclude(pk=plan.pk)
        .get()
    )

    in_thread(signed_off_and_issued(compiled, users))
    drafter.page.reload()
    expect(drafter.page.get_by_test_id("status")).to_have_text("Đã ban hành, chờ xác nhận")
    receipts = drafter.page.get_by_test_id("receipts")
    expect(receipts.locator("[data-unit=BATGT]")).to_contain_text(
        "Thường trực Ban An toàn giao thông tỉnh"
    )
    assert set(compiled.receipts.values_list("unit__abbreviation", flat=True)) == {
        "UBND",
        "BATGT",
        "VT",
    }
