"""Việc của tôi: each section shows its first few items, how many there are and a link to all
of them; the menu's number is the sum; neither loads the lists, so the queries of the home
page and of any page's menu do not grow with the data.

Documents are taken through the workflow with the services, PDFs stubbed (the rendering is
tested elsewhere and is no part of what these pages read).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals import selectors, services
from approvals.selectors import WORK_PREVIEW, WorkSection
from benchmarks import templates
from documents import services as documents
from documents.models import Document
from tests.conftest import ISSUE_DATE

ROLES = ("chuyenvien", "chanhvanphong", "phogiamdoc", "giamdoc", "vanthu", "congan", "bantatgt")
TESTIDS = {
    WorkSection.TO_SIGN: "to-sign",
    WorkSection.RETURNED: "returned",
    WorkSection.DRAFTS: "drafts",
    WorkSection.TO_ISSUE: "to-issue",
    WorkSection.RECEIPTS: "receipts-pending",
    WorkSection.TASKS: "other-tasks",
}
PLAIN_PAGE = "/documents/kiem-tra-chu-ky/"  # a page whose own queries are fixed: the menu's


@pytest.fixture(autouse=True)
def no_pdfs():
    """A few-byte stand-in for each signed original (the benchmark's, benchmarks.templates)."""
    with templates.pdfs_stubbed():
        yield


def new_document(users, seed_plan, label: str) -> Document:
    return documents.document_create(
        actor=users.chuyenvien,
        organization=seed_plan.organization,
        document_type=seed_plan.document_type,
        subject=f"{seed_plan.subject} ({label})",
        body=seed_plan.body,
        recipients=[
            documents.RecipientSpec(line.text, list(line.units.all()))
            for line in seed_plan.recipient_lines.all()
        ],
    )


def add_work(users, seed_plan, n: int) -> None:
    """n more documents in each state that is someone's work: drafts and returned ones (the
    chuyên viên), submitted (the Phó Giám đốc), signed off (the văn thư), issued (a receipt
    for every recipient unit)."""
    for i in range(n):
        new_document(users, seed_plan, f"nháp {i}")
        for state in ("submitted", "returned", "signed", "issued"):
            document = new_document(users, seed_plan, f"{state} {i}")
            services.document_submit(
                document=document, actor=users.chuyenvien, signer=users.phogiamdoc
            )
            if state == "returned":
                services.document_decide(
                    document=document, actor=users.phogiamdoc, decision="return", comment="Sửa."
                )
            elif state != "submitted":
                services.document_decide(
                    document=document, actor=users.phogiamdoc, decision="approve"
                )
            if state == "issued":
                services.document_issue(document=document, actor=users.vanthu, issued_on=ISSUE_DATE)


def menu_work_count(html: str) -> int:
    match = re.search(
        r"Việc của tôi</span>\s*<span class=\"mdc-list-item__meta\">(\d+)</span>", html
    )
    assert match, "no work count beside Việc của tôi"
    return int(match.group(1))


def section_html(html: str, testid: str) -> str | None:
    match = re.search(rf'<section [^>]*data-testid="{testid}">(.*?)</section>', html, re.S)
    return match.group(1) if match else None


@pytest.fixture
def busy(users, seed_plan):
    """More of every kind of work than the home page shows."""
    add_work(users, seed_plan, WORK_PREVIEW + 2)


def test_each_section_shows_the_first_few_its_count_and_a_link_to_all(busy, users, client_for):
    for role in ROLES:
        check_home_of(role, users, client_for)


def check_home_of(role, users, client_for):
    user = users[role]
    client = client_for(role)
    html = client.get("/documents/").text
    total = 0
    for section, testid in TESTIDS.items():
        everything = list(selectors.work_list(user, section))
        shown = section_html(html, testid)
        if not everything:
            assert shown is None, (role, section)
            continue
        assert shown is not None, (role, section)
        items = re.findall(r"<li>", shown)
        assert len(items) == min(len(everything), WORK_PREVIEW), (role, section)
        assert f'data-testid="section-count">{len(everything)}</span>' in shown
        url = f"/documents/viec-cua-toi/{section.value}/"
        assert f'href="{url}" data-testid="see-all"' in shown
        listed = client.get(url)
        assert listed.status_code == 200
        assert len(re.findall(r"<li>", listed.text)) == min(len(everything), 20)
        total += len(everything)
    assert menu_work_count(html) == total
    assert menu_work_count(client.get(PLAIN_PAGE).text) == total
    assert selectors.work_counts(user).total == total
    assert ("Hiện không có việc nào" in html) == (total == 0)


def test_the_numbers_are_what_waits_for_each_role(busy, users):
    n = WORK_PREVIEW + 2
    counts = {role: selectors.work_counts(users[role]) for role in ROLES}
    assert (counts["chuyenvien"].drafts, counts["chuyenvien"].returned) == (n + 1, n)
    assert counts["phogiamdoc"].to_sign == n
    assert counts["vanthu"].to_issue == n
    assert counts["vanthu"].receipts == n  # "Lưu: VT" of each issued document
    assert counts["congan"].receipts == n
    assert counts["giamdoc"].total == 0
    assert counts["bantatgt"].total == 0


def test_the_full_list_is_paginated(users, seed_plan, client_for):
    for i in range(24):
        new_document(users, seed_plan, f"nháp {i}")
    client = client_for("chuyenvien")
    first = client.get("/documents/viec-cua-toi/du-thao/")
    assert "Dự thảo của tôi" in first.text
    assert len(re.findall(r"<li>", first.text)) == 20
    assert "Trang 1/2" in first.text
    second = client.get("/documents/viec-cua-toi/du-thao/?page=2")
    assert len(re.findall(r"<li>", second.text)) == 5
    # Newest first, the seed plan (the oldest draft) last.
    assert "(nháp 23)" in first.text and seed_plan.subject + "</a>" in second.text


def test_an_unknown_section_is_not_found(client_for):
    assert client_for("chuyenvien").get("/documents/viec-cua-toi/khong-co/").status_code == 404


def test_a_section_of_someone_elses_work_is_empty_for_the_person(submitted, client_for):
    page = client_for("giamdoc").get("/documents/viec-cua-toi/cho-ky-duyet/").text
    assert submitted.subject not in page
    assert "Hiện không có việc nào" in page


def queries_of(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ("chuyenvien", "phogiamdoc", "vanthu", "congan"))
def test_queries_of_the_home_page_and_the_menu_do_not_grow_with_the_data(
    role, users, seed_plan, client_for
):
    add_work(users, seed_plan, 2)
    client = client_for(role)
    small = {path: queries_of(client, path) for path in ("/documents/", PLAIN_PAGE)}
    add_work(users, seed_plan, WORK_PREVIEW + 3)
    large = {path: queries_of(client, path) for path in ("/documents/", PLAIN_PAGE)}
    assert large == small
    assert large["/documents/"] <= 20
