"""The registers over HTTP: who may read which book, the pages, the date filter's errors, the
XLSX (opened with openpyxl) and the PDF (opened with pypdf: landscape, cover, print mark)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from documents.models import Event
from tests.records.test_registers import YEAR, incoming, outgoing

ORDINARY = [("di", "HC"), ("den", "DEN"), ("theo-doi", "DEN")]
CONFIDENTIAL = [("di", "MAT"), ("den", "DEN-MAT"), ("theo-doi", "DEN-MAT")]
VIEWS = ["register_detail", "register_xlsx", "register_pdf"]


def url(name: str, kind: str, book: str, year: int = YEAR, query: str = "") -> str:
    return reverse(f"records:{name}", kwargs={"kind": kind, "book": book, "year": year}) + query


@pytest.fixture
def books(issued, users):
    """Rows in every book: the seed plan issued, a secret document, incoming records."""
    outgoing(1, book="MAT", subject="Kế hoạch mật", confidentiality="mat")
    incoming(1, users=users, due_on=dt.date(YEAR, 12, 31))
    incoming(1, book="DEN-MAT", users=users, due_on=dt.date(YEAR, 12, 31))
    return issued


def system_prints() -> int:
    return Event.objects.filter(kind=Event.Kind.PRINTED, document__isnull=True).count()


# --- who may read ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "ordinary", "confidential"),
    [
        ("vanthu", 200, 200),
        ("giamdoc", 200, 403),
        ("phogiamdoc", 200, 403),
        ("chuyenvien", 403, 403),
        ("chanhvanphong", 403, 403),
        ("congan", 403, 403),
        ("quantri", 403, 403),
    ],
)
def test_who_may_read_which_book(books, client_for, username, ordinary, confidential):
    client = client_for(username)
    before = system_prints()
    assert client.get(reverse("records:register_index")).status_code == (
        200 if ordinary == 200 else 403
    )
    for name in VIEWS:
        for kind, book in ORDINARY:
            assert client.get(url(name, kind, book)).status_code == ordinary, (name, kind)
        for kind, book in CONFIDENTIAL:
            response = client.get(url(name, kind, book))
            assert response.status_code == confidential, (name, kind, book)
    expected_prints = 2 * len(CONFIDENTIAL) if confidential == 200 else 0  # XLSX and PDF
    assert system_prints() - before == expected_prints


def test_a_refusal_says_why_in_vietnamese(books, client_for):
    response = client_for("giamdoc").get(url("register_detail", "di", "MAT"))
    assert response.status_code == 403
    assert "văn thư" in response.content.decode()
    response = client_for("chuyenvien").get(reverse("records:register_index"))
    assert "chỉ dành cho văn thư và lãnh đạo" in response.content.decode()


def test_anonymous_is_sent_to_the_login_page(books):
    client = Client()
    for address in [reverse("records:register_index"), url("register_pdf", "di", "HC")]:
        response = client.get(address)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_unknown_kinds_years_and_books_are_not_found(books, client_for):
    client = client_for("vanthu")
    for address in [
        url("register_detail", "ra", "HC"),
        url("register_detail", "di", "KHONG-CO"),
        url("register_xlsx", "di", "HC", year=12),
        "/records/so-dang-ky/di/HC/99999999999999999999/",
    ]:
        assert client.get(address).status_code == 404, address
    # Not found comes before forbidden: the route itself does not exist.
    assert client_for("chuyenvien").get(url("register_detail", "ra", "HC")).status_code == 404


# --- the pages ------------------------------------------------------------------------------


def test_the_index_lists_the_books_with_their_counts(books, client_for):
    page = client_for("vanthu").get(reverse("records:register_index")).content.decode()
    assert f'data-kind="di" data-book="MAT" data-year="{YEAR}"' in page
    assert f'data-kind="theo-doi" data-book="DEN" data-year="{YEAR}"' in page
    page = client_for("giamdoc").get(reverse("records:register_index")).content.decode()
    assert 'data-book="MAT"' not in page and 'data-book="DEN-MAT"' not in page
    assert 'data-book="HC"' in page


def test_the_register_page_shows_the_rows_and_the_columns(books, client_for):
    response = client_for("giamdoc").get(url("register_detail", "di", "HC"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in page
    assert "Đơn vị, người nhận bản lưu" in page and "(10)" in page
    assert page.count('data-testid="register-row"') == 1
    assert books.notation in page
    assert books.subject in page


def test_the_date_filter_narrows_the_rows_and_bad_dates_are_a_form_error(books, client_for):
    client = client_for("vanthu")
    day = books.issued_on
    inside = f"?from={day:%d/%m/%Y}&to={day:%d/%m/%Y}"
    after = day + dt.timedelta(days=1)
    outside = f"?from={after:%d/%m/%Y}"
    page = client.get(url("register_detail", "di", "HC", query=inside)).content.decode()
    assert page.count('data-testid="register-row"') == 1
    page = client.get(url("register_detail", "di", "HC", query=outside)).content.decode()
    assert page.count('data-testid="register-row"') == 0
    for bad in ["?from=31/02/2026", "?to=hôm qua", "?from=1e400", "?from=02/01/2026&to=01/01/2026"]:
        response = client.get(url("register_detail", "di", "HC", query=bad))
        assert response.status_code == 400, bad
        assert 'data-testid="filter-error"' in response.content.decode(), bad
        assert client.get(url("register_xlsx", "di", "HC", query=bad)).status_code == 400


def test_the_date_filter_reads_from_and_to_in_english(books, client_for):
    """The register's "Đến ngày" is the end of a period, not the follow-up's kind of deadline."""
    client = client_for("vanthu")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url("register_detail", "di", "HC")).content.decode()
    assert '<label for="register-from">From</label>' in page
    assert '<label for="register-to">To</label>' in page
    assert "By a date" not in page


# --- the exports ----------------------------------------------------------------------------


def test_the_xlsx_has_the_title_block_the_header_and_one_row_per_document(books, client_for):
    outgoing(2, issued_on=books.issued_on)
    response = client_for("vanthu").get(url("register_xlsx", "di", "HC"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    titles = [row[0] for row in rows]
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in titles
    assert f"Năm: {YEAR}" in titles
    header = titles.index("Số, ký hiệu văn bản")
    assert rows[header][9] == "Ghi chú"
    assert rows[header + 1][0] == "(1)" and rows[header + 1][9] == "(10)"
    data = rows[header + 2 :]
    assert [row[0] for row in data] == [books.notation, "02/KH-STTTT"]
    assert isinstance(data[0][1], dt.datetime) and data[0][1].date() == books.issued_on
    assert sheet.cell(row=header + 3, column=2).number_format == "dd/mm/yyyy"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["B"].width


def test_the_follow_up_xlsx_has_its_seven_columns(books, client_for):
    response = client_for("vanthu").get(url("register_xlsx", "theo-doi", "DEN"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = [row[0] for row in rows].index("Số đến")
    assert rows[header][6] == "Ghi chú"
    assert rows[header + 2][0] == 1
    assert len([value for value in rows[header] if value]) == 7


def test_the_pdf_is_landscape_with_the_cover_and_the_print_mark_on_every_page(
    books, client_for, users
):
    for number in range(2, 40):
        outgoing(number, issued_on=books.issued_on, subject="Trích yếu dài " * 12)
    response = client_for("vanthu").get(url("register_pdf", "di", "HC"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    texts = [page.extract_text() for page in reader.pages]
    cover = texts[0]
    for line in [
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
        f"Năm: {YEAR}",
        "Từ ngày",
        "Từ số 1 đến số 39",
        "Quyển số: 01",
    ]:
        assert line in cover, line
    compact = ["".join(text.split()) for text in texts]  # a cell's text may wrap anywhere
    assert "(10)" in texts[1] and books.notation in compact[1]
    name = f"{users.vanthu.last_name} {users.vanthu.first_name}".strip()
    for text in texts:
        assert "In từ hệ thống Văn thư" in text
        assert name in text
    assert any("39/KH-STTTT" in text for text in compact[1:])


def test_printing_an_ordinary_book_records_nothing_and_a_confidential_one_is_on_the_trail(
    books, client_for, users
):
    client = client_for("vanthu")
    before = Event.objects.count()
    assert client.get(url("register_pdf", "di", "HC")).status_code == 200
    assert Event.objects.count() == before
    assert client.get(url("register_pdf", "di", "MAT")).status_code == 200
    event = Event.objects.latest("pk")
    assert Event.objects.count() == before + 1
    assert event.kind == Event.Kind.PRINTED and event.document_id is None
    assert event.actor == users.vanthu
    assert event.data["book"] == "MAT" and event.data["format"] == "pdf"


def test_a_book_too_long_to_print_asks_for_a_narrower_period(books, client_for, monkeypatch):
    from approvals.ui.records import registers as register_views

    outgoing(2, issued_on=books.issued_on)
    monkeypatch.setattr(register_views, "PDF_MAX_ROWS", 1)
    client = client_for("vanthu")
    page = client.get(url("register_detail", "di", "HC"))
    assert page.status_code == 200
    assert b'data-testid="register-pdf-too-long"' in page.content
    response = client.get(url("register_pdf", "di", "HC"))
    assert response.status_code == 400
    assert "khoảng thời gian" in response.content.decode()
    day = f"{books.issued_on:%d/%m/%Y}"
    assert client.get(url("register_xlsx", "di", "HC")).status_code == 200
    narrowed = client.get(url("register_pdf", "di", "HC", query=f"?from={day}&to={day}"))
    assert narrowed.status_code in (200, 400)  # both rows share the day: still two
