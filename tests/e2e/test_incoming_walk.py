"""An incoming công văn's whole walk in a browser, in Vietnamese: the văn thư receives a công
văn of Công an tỉnh (its PDF and metadata) and presents it to the Giám đốc; the Giám đốc
writes an instruction and assigns it to Văn phòng with a deadline; Văn phòng's head gives it
to a chuyên viên, who answers with an outgoing công văn citing it (drafted on the drafting
page), and marks it done once the answer is issued. The answer's sign-off and issuance go
through approvals.services in a thread of their own (tests.e2e.test_followup_walk.in_thread):
the browser is asked only for the incoming document's screens and the drafting page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document, DocumentType, IncomingRecord, Unit
from documents.people import display_name
from tests.e2e.test_followup_walk import in_thread, signed_off_and_issued
from tests.e2e.test_lifecycle import submit_to

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NOTATION = "125/CAT-PC08"
SUBJECT = "V/v phối hợp tuyên truyền bảo đảm trật tự an toàn giao thông dịp cuối năm"
INSTRUCTION = "Giao Văn phòng chủ trì, phối hợp Phòng TTBCXB tham mưu văn bản trả lời."
ANSWER = "V/v trả lời Công văn số 125/CAT-PC08 của Công an tỉnh"
RESULT = "Đã trả lời bằng công văn của Sở."


def received_pdf(tmp_path):
    """The công văn as Công an tỉnh sent it: a one-page PDF with its own text."""
    from weasyprint import HTML

    path = tmp_path / "cong-van-125-CAT-PC08.pdf"
    HTML(
        string=(
            "<meta charset='utf-8'><style>body{font-family:'Liberation Serif',serif}</style>"
            f"<p>CÔNG AN TỈNH BÌNH PHƯỚC</p><p>Số: {NOTATION}</p><h3>{SUBJECT}</h3>"
            "<p>Công an tỉnh đề nghị Sở Thông tin và Truyền thông phối hợp tuyên truyền.</p>"
        )
    ).write_pdf(path)
    return path


def test_an_incoming_cong_van_from_cong_an_is_assigned_handled_and_answered(
    demo_live, person, screenshots, tmp_path
):
    users = {u.username: u for u in get_user_model().objects.all()}
    due_on = timezone.localdate() + dt.timedelta(days=10)

    # 1. The văn thư receives the công văn: the file and its metadata.
    clerk = person("vanthu")
    clerk.goto("/records/van-ban-den/")
    clerk.page.get_by_test_id("incoming-create").click()
    form = clerk.page.get_by_test_id("incoming-form")
    form.locator("input[name=upload]").set_input_files(received_pdf(tmp_path))
    form.locator("input[name=sender_name]").fill("Công an tỉnh Bình Phước")
    form.locator("select[name=sender_unit]").select_option(label="Công an tỉnh")
    form.locator("input[name=notation]").fill(NOTATION)
    form.locator("input[name=issued_on]").fill(
        (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    )
    form.locator("select[name=document_type]").select_option(
        str(DocumentType.objects.get(name="Công văn").pk)
    )
    form.locator("textarea[name=subject]").fill(SUBJECT)
    form.locator("input[name=signer_name]").fill("Nguyễn Văn Hùng")
    form.locator("select[name=urgency]").select_option(Document.Urgency.KHAN)
    clerk.page.screenshot(path=screenshots / "40-vanthu-tiep-nhan-van-ban-den.png", full_page=True)
    clerk.page.get_by_test_id("incoming-register").click()

    expect(clerk.page.get_by_test_id("incoming-status")).to_have_text("Đã vào sổ, chờ trình")
    record = IncomingRecord.objects.get()
    incoming = record.document
    assert record.arrival_number == 1 and record.sender_unit == Unit.objects.get(abbreviation="CA")
    assert incoming.origin == Document.Origin.INCOMING and incoming.notation == NOTATION
    expect(clerk.page.get_by_test_id("arrival-number")).to_contain_text(f"1/{record.arrival_year}")
    expect(clerk.page.get_by_test_id("notation")).to_have_text(NOTATION)
    expect(clerk.page.get_by_test_id("urgent")).to_have_text("Khẩn")
    expect(clerk.page.get_by_test_id("signature-status")).to_have_attribute("data-status", "none")

    # … and presents it to the Giám đốc, the head of the agency (offered first).
    present = clerk.page.get_by_test_id("present")
    present.locator("select[name=leader]").select_option(str(users["giamdoc"].pk))
    present.get_by_test_id("present-submit").click()
    expect(clerk.page.get_by_test_id("incoming-status")).to_have_text("Đã trình lãnh đạo")
    expect(clerk.page.get_by_test_id("presented-to")).to_contain_text(
        display_name(users["giamdoc"])
    )
    clerk.page.screenshot(path=screenshots / "41-vanthu-trinh-giam-doc.png", full_page=True)

    # 2. The Giám đốc finds it in the list, writes the instruction and assigns Văn phòng.
    director = person("giamdoc")
    director.goto("/records/van-ban-den/")
    director.page.get_by_role("link", name=SUBJECT).click()
    expect(director.page.get_by_test_id("subject")).to_have_text(SUBJECT)
    instruct = director.page.get_by_test_id("instruct")
    instruct.locator("textarea[name=instruction]").fill(INSTRUCTION)
    instruct.locator("select[name=lead_unit]").select_option(label="Văn phòng")
    instruct.locator("select[name=supporting_units]").select_option(
        label="Phòng Thông tin - Báo chí - Xuất bản"
    )
    instruct.locator("input[name=due_on]").fill(due_on.isoformat())
    director.page.screenshot(path=screenshots / "42-giamdoc-y-kien-chi-dao.png", full_page=True)
    instruct.get_by_test_id("instruct-submit").click()
    expect(director.page.get_by_test_id("incoming-status")).to_have_text("Đã giao xử lý")
    expect(director.page.get_by_test_id("instruction")).to_contain_text(INSTRUCTION)
    expect(director.page.get_by_test_id("lead-unit")).to_have_text("Văn phòng")
    expect(director.page.get_by_test_id("assignment")).to_contain_text(due_on.strftime("%d/%m/%Y"))
    expect(director.page.get_by_test_id("incoming-steps")).to_have_count(0)  # nothing more
    assignment = incoming.assignments.get()
    assert assignment.lead_unit.abbreviation == "VP" and assignment.due_on == due_on

    # 3. Văn phòng's head gives it to a chuyên viên of the unit.
    head = person("chanhvanphong")
    head.goto(f"/records/van-ban-den/{incoming.pk}/")
    give = head.page.get_by_test_id("give")
    give.locator("select[name=handler]").select_option(str(users["chuyenvien"].pk))
    give.locator("textarea[name=unit_instruction]").fill("Đồng chí An dự thảo văn bản trả lời.")
    give.get_by_test_id("give-submit").click()
    expect(head.page.get_by_test_id("handler")).to_contain_text(display_name(users["chuyenvien"]))

    # 4. The chuyên viên answers it with a công văn citing it, on the drafting page.
    handler = person("chuyenvien")
    handler.goto(f"/records/van-ban-den/{incoming.pk}/")
    expect(handler.page.get_by_test_id("replies")).to_contain_text("Chưa có văn bản trả lời.")
    handler.page.get_by_test_id("incoming-answer").click()
    page = handler.page
    expect(page.locator("select[name=cites] option:checked")).to_contain_text(NOTATION)
    page.select_option(
        "select[name=document_type]", str(DocumentType.objects.get(name="Công văn").pk)
    )
    page.fill("input[name=subject]", ANSWER)
    page.fill(
        "textarea[name=body]",
        f"Phúc đáp Công văn số {NOTATION} của Công an tỉnh, Sở Thông tin và Truyền thông "
        "thống nhất phối hợp tuyên truyền bảo đảm trật tự an toàn giao thông dịp cuối năm.",
    )
    lines = [("Công an tỉnh", "Công an tỉnh"), ("Lưu: VT", "Văn thư cơ quan")]
    for index, (text, unit) in enumerate(lines):
        page.fill(f"input[name=recipients-{index}-text]", text)
        page.select_option(f"select[name=recipients-{index}-units]", label=unit)
    page.screenshot(path=screenshots / "43-chuyenvien-soan-van-ban-tra-loi.png", full_page=True)
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_test_id("status")).to_have_text("Dự thảo")
    expect(page.get_by_test_id("cites")).to_contain_text(NOTATION)
    answer = Document.objects.get(subject=ANSWER)
    assert list(answer.cites.all()) == [incoming]
    submit_to(handler, users["phogiamdoc"].pk)

    in_thread(signed_off_and_issued(answer, users))
    answer.refresh_from_db()
    assert answer.status == Document.Status.ISSUED and answer.notation, answer.status

    # 5. Back on the incoming document: the answer is listed; the chuyên viên marks it done.
    handler.goto(f"/records/van-ban-den/{incoming.pk}/")
    expect(handler.page.get_by_test_id("replies")).to_contain_text(answer.notation)
    complete = handler.page.get_by_test_id("complete")
    complete.locator("textarea[name=result]").fill(f"{RESULT} Số {answer.notation}.")
    complete.get_by_test_id("complete-submit").click()
    expect(handler.page.get_by_test_id("incoming-status")).to_have_text("Đã giải quyết xong")
    expect(handler.page.get_by_test_id("result")).to_contain_text(answer.notation)
    handler.page.screenshot(path=screenshots / "44-chuyenvien-giai-quyet-xong.png", full_page=True)
    record.refresh_from_db()
    assert record.status == IncomingRecord.Status.DONE and record.handler == users["chuyenvien"]

    # The Giám đốc sees it handled, with its answer, in the list and on its page.
    director.goto("/records/van-ban-den/")
    expect(director.page.get_by_role("link", name=SUBJECT)).to_be_visible()
    director.goto(f"/records/van-ban-den/{incoming.pk}/")
    expect(director.page.get_by_test_id("incoming-status")).to_have_text("Đã giải quyết xong")
    expect(director.page.get_by_test_id("replies")).to_contain_text(answer.notation)
    director.page.screenshot(
        path=screenshots / "45-giamdoc-van-ban-den-da-giai-quyet.png", full_page=True
    )
    # Its printed copy and its phiếu giải quyết come as PDFs (the print carries the mark).
    printed = director.page.request.get(
        f"{director.base_url}/records/van-ban/{incoming.pk}/ban-in/"
    )
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
    slip = director.page.request.get(
        f"{director.base_url}/records/van-ban-den/{incoming.pk}/phieu-giai-quyet/"
    )
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf"
