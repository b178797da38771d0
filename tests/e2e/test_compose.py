"""Drafting in the browser: a new document with as many "Nơi nhận" lines as it needs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from documents.models import Document, Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_drafter_adds_recipient_lines_and_cites_plan_83(demo_live, person):
    drafter = person("chuyenvien")
    drafter.goto("/documents/van-ban/soan-thao/")
    page = drafter.page
    rows = page.get_by_test_id("recipient-row")
    expect(rows).to_have_count(2)
    page.get_by_test_id("add-recipient").click()
    page.get_by_test_id("add-recipient").click()
    expect(rows).to_have_count(4)

    page.select_option("select[name=document_type]", label="Báo cáo (BC)")
    page.fill("input[name=subject]", "Kết quả thực hiện Kế hoạch bảo đảm TTATGT năm 2020")
    page.fill("textarea[name=body]", "I. KẾT QUẢ THỰC HIỆN\n1. Công tác tuyên truyền")
    reference = Document.objects.get(notation="83/KH-UBND")
    page.select_option("select[name=cites]", str(reference.pk))
    lines = [
        ("Thường trực Ban ATGT tỉnh", "Thường trực Ban An toàn giao thông tỉnh"),
        ("Công an tỉnh", "Công an tỉnh"),
        ("Lưu: VT", "Văn thư cơ quan"),
    ]
    for index, (text, unit) in enumerate(lines):
        page.fill(f"input[name=recipients-{index}-text]", text)
        page.select_option(f"select[name=recipients-{index}-units]", label=unit)
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_test_id("status")).to_have_text("Dự thảo")
    expect(page.get_by_test_id("cites")).to_contain_text("Kế hoạch số 83/KH-UBND ngày 01/4/2020")

    report = Document.objects.get(subject="Kết quả thực hiện Kế hoạch bảo đảm TTATGT năm 2020")
    saved = [
        (line.text, [u.name for u in line.units.all()])
        for line in report.recipient_lines.prefetch_related("units")
    ]
    assert saved == [(text, [unit]) for text, unit in lines]
    assert Unit.objects.filter(name="Văn thư cơ quan", is_records_office=True).exists()
    assert list(report.cites.all()) == [reference]
