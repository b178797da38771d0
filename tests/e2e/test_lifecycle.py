"""The seed plan through its whole life, from five browsers, in Vietnamese."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from documents.models import Document, Receipt
from tests.conftest import SEED_SUBJECT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RETURN_COMMENT = "Bổ sung thời gian thực hiện cho từng nhiệm vụ."
ADDED_LINE = "Thời gian thực hiện: Trong năm 2020."
# viewflow's own English strings, and a few of Django's, that must never show in `vi`.
ENGLISH = [
    "Inbox", "Queue", "Archive", "Log out", "Process", "Processes", "Task", "Tasks",
    "Dashboard", "Execute", "Assign", "Unassign", "Applications", "Log in", "Profile",
    "Created", "Finished", "Owner", "Search", "Filter", "Status", "Brief", "Page",
    "Password", "Username", "Reset password", "Save", "Cancel", "Back", "Detail",
    "of", "the", "and", "View site", "Change",
]


def visible_english(page) -> list[str]:
    text = page.inner_text("body")
    return [word for word in ENGLISH if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


def open_seed_from_home(someone, section: str):
    someone.goto("/")
    card = someone.page.get_by_test_id(section)
    expect(card).to_contain_text(SEED_SUBJECT)
    card.get_by_role("link", name=re.compile(re.escape(SEED_SUBJECT))).first.click()
    expect(someone.page.get_by_test_id("document-content")).to_be_visible()


def submit_to(someone, signer_pk: int):
    someone.page.get_by_role("link", name="Trình ký").click()
    someone.page.select_option("select[name=signer]", str(signer_pk))
    someone.page.get_by_role("button", name="Trình ký").click()
    expect(someone.page.get_by_test_id("status")).to_have_text("Chờ ký duyệt")


def decide(someone, decision: str, comment: str = "", screenshot=None):
    someone.page.get_by_test_id("actions").get_by_role("link", name="Ký duyệt").click()
    expect(someone.page.locator("input[name=decision]").first).to_be_visible()
    # The whole document is on the sign-off page, before the decision.
    expect(someone.page.get_by_test_id("document-content")).to_contain_text("Mục đích")
    if screenshot:
        someone.page.screenshot(path=screenshot, full_page=True)
    someone.page.check(f"input[name=decision][value={decision}]")
    if comment:
        someone.page.fill("textarea[name=comment]", comment)
    someone.page.get_by_role("button", name="Thực hiện").click()


def test_seed_plan_lifecycle_in_five_browsers(demo_live, person, screenshots, live_server):
    users = {u.username: u for u in get_user_model().objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    drafter, deputy = person("chuyenvien"), person("phogiamdoc")
    clerk, police = person("vanthu"), person("congan")

    # The drafter finds the draft on "Việc của tôi" and submits it to the Phó Giám đốc.
    drafter.goto("/")
    expect(drafter.page.get_by_test_id("drafts")).to_contain_text(SEED_SUBJECT)
    drafter.page.screenshot(path=screenshots / "01-chuyenvien-viec-cua-toi.png", full_page=True)
    open_seed_from_home(drafter, "drafts")
    submit_to(drafter, users["phogiamdoc"].pk)

    # The Phó Giám đốc returns it; without a comment the form refuses, in Vietnamese.
    open_seed_from_home(deputy, "to-sign")
    deputy.goto("/")
    deputy.page.screenshot(path=screenshots / "02-phogiamdoc-viec-cua-toi.png", full_page=True)
    open_seed_from_home(deputy, "to-sign")
    decide(deputy, "return")
    expect(deputy.page.locator(".vt-error-text")).to_have_text(
        "Phải ghi ý kiến khi trả lại văn bản."
    )
    plan.refresh_from_db()
    assert plan.status == Document.Status.SUBMITTED
    deputy.page.fill("textarea[name=comment]", RETURN_COMMENT)
    deputy.page.get_by_role("button", name="Thực hiện").click()
    expect(deputy.page.get_by_test_id("status")).to_have_text("Trả lại để chỉnh sửa")
    expect(deputy.page.get_by_test_id("timeline")).to_contain_text(RETURN_COMMENT)

    # The drafter sees it returned, edits the body, attaches a file and resubmits.
    open_seed_from_home(drafter, "returned")
    drafter.page.get_by_test_id("actions").get_by_role("link", name="Chỉnh sửa").click()
    body = drafter.page.locator("textarea[name=body]")
    body.fill(body.input_value() + "\n\n- " + ADDED_LINE)
    drafter.page.set_input_files(
        "input[name=attachment]",
        files=[{"name": "phu-luc.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n" + "Phụ lục kế hoạch".encode()}],
    )
    drafter.page.get_by_role("button", name="Lưu dự thảo").click()
    expect(drafter.page.get_by_test_id("document-content")).to_contain_text(ADDED_LINE)
    expect(drafter.page.get_by_test_id("attachments")).to_contain_text("phu-luc.pdf")
    submit_to(drafter, users["phogiamdoc"].pk)

    # The Phó Giám đốc signs it off.
    open_seed_from_home(deputy, "to-sign")
    decide(deputy, "approve", screenshot=screenshots / "02b-phogiamdoc-trang-ky-duyet.png")
    expect(deputy.page.get_by_test_id("status")).to_have_text("Đã ký duyệt, chờ ban hành")

    # The văn thư issues it: number 01/KH-STTTT, one receipt per recipient unit.
    clerk.goto("/")
    expect(clerk.page.get_by_test_id("to-issue")).to_contain_text(SEED_SUBJECT)
    clerk.page.screenshot(path=screenshots / "03-vanthu-viec-cua-toi.png", full_page=True)
    clerk.page.get_by_test_id("to-issue").get_by_role("link", name="Cho số, ban hành").click()
    expect(clerk.page.get_by_test_id("document-content")).to_contain_text(ADDED_LINE)
    clerk.page.get_by_role("button", name="Cho số, ban hành").click()
    expect(clerk.page.get_by_text("Hãy xác nhận trước khi ban hành.")).to_be_visible()
    clerk.page.check("input[name=confirm]")
    clerk.page.get_by_role("button", name="Cho số, ban hành").click()
    expect(clerk.page.get_by_test_id("status")).to_have_text("Đã ban hành, chờ xác nhận")
    expect(clerk.page.get_by_test_id("document-content")).to_contain_text("Số: 01/KH-STTTT")
    receipts = {r.unit.abbreviation: r for r in plan.receipts.select_related("unit")}
    assert set(receipts) == {"CA", "VP", "TTBCXB", "BCVTCNTT", "TTCNTT", "VT"}

    # Công an tỉnh acknowledges its receipt, and cannot open the Văn phòng's.
    police.goto("/")
    expect(police.page.get_by_test_id("receipts-pending")).to_contain_text(SEED_SUBJECT)
    police.page.screenshot(path=screenshots / "04-congan-viec-cua-toi.png", full_page=True)
    response = police.goto(f"/documents/phieu-nhan/{receipts['VP'].pk}/")
    assert response.status == 404
    expect(police.page.locator("body")).to_contain_text("Không tìm thấy")
    police.goto("/")
    police.page.get_by_test_id("receipts-pending").get_by_role("link").first.click()
    police.page.check("input[name=confirm]")
    police.page.get_by_role("button", name="Xác nhận đã nhận").click()
    expect(police.page.get_by_test_id("receipt-status")).to_have_text("Đã nhận")

    # Every other receiver acknowledges from a fifth browser context, one after another.
    for username in ("chanhvanphong", "ttbcxb", "bcvtcntt", "trungtam", "vanthu"):
        receiver = person(username)
        receiver.goto("/")
        receiver.page.get_by_test_id("receipts-pending").get_by_role("link").first.click()
        receiver.page.check("input[name=confirm]")
        receiver.page.get_by_role("button", name="Xác nhận đã nhận").click()
        expect(receiver.page.get_by_test_id("receipt-status")).to_have_text("Đã nhận")
        receiver.close()

    plan.refresh_from_db()
    assert plan.status == Document.Status.ARCHIVED
    assert not plan.receipts.filter(status=Receipt.Status.PENDING).exists()

    # The document page shows the whole timeline and every acknowledgement.
    drafter.goto(f"/documents/van-ban/{plan.pk}/")
    expect(drafter.page.get_by_test_id("status")).to_have_text("Đã lưu trữ")
    timeline = drafter.page.get_by_test_id("timeline")
    for action in ("Tạo dự thảo", "Trình ký", "Trả lại để chỉnh sửa", "Chỉnh sửa dự thảo",
                   "Ký duyệt", "Cho số, ban hành", "Gửi đến nơi nhận", "Lưu trữ"):
        expect(timeline).to_contain_text(action)
    expect(timeline.locator("[data-kind=acknowledged]")).to_have_count(6)
    expect(drafter.page.get_by_test_id("receipts").locator("[data-status=acknowledged]")
           ).to_have_count(6)
    expect(drafter.page.get_by_test_id("document-content")).to_contain_text(
        "ngày", ignore_case=False
    )
    drafter.page.screenshot(path=screenshots / "05-trang-van-ban-da-luu-tru.png", full_page=True)

    # Nothing came from outside the app: no CDN, every asset served by the live server.
    for someone in (drafter, deputy, clerk, police):
        outside = [url for url in someone.requested
                   if not url.startswith(live_server.url) and not url.startswith("data:")]
        assert outside == [], outside


def test_main_pages_show_no_untranslated_english(demo_live, person, live_server):
    drafter = person("chuyenvien")
    pages = ["/", "/documents/van-ban/", "/documents/van-ban/soan-thao/",
             "/documents/phieu-nhan/", "/documents/thong-bao/", "/document/inbox/",
             "/document/queue/", "/document/archive/", "/document/flows/", "/document/tasks/",
             "/accounts/password_change/"]
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    pages.append(f"/documents/van-ban/{plan.pk}/")
    found = {}
    for path in pages:
        response = drafter.goto(path)
        assert response.status == 200, path
        assert drafter.page.evaluate("document.documentElement.lang") == "vi"
        english = visible_english(drafter.page)
        if english:
            found[path] = english
    assert found == {}

    # The login page too, for someone who is not signed in yet.
    drafter.context.clear_cookies()
    for path, heading in [("/accounts/login/", "Đăng nhập"),
                          ("/accounts/password_reset/", "Đặt lại mật khẩu")]:
        drafter.goto(path)
        assert visible_english(drafter.page) == [], path
        expect(drafter.page.locator("body")).to_contain_text(heading)


def test_english_is_available_on_request(demo_live, person):
    drafter = person("chuyenvien")
    drafter.goto("/document/inbox/")
    drafter.page.locator("button[name=language][value=en]").click()
    drafter.page.wait_for_load_state("networkidle")
    assert drafter.page.evaluate("document.documentElement.lang") == "en"
    expect(drafter.page.locator(".vf-page__menu")).to_contain_text("Inbox")
