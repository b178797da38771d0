"""Search (issue 17, part 5): Vietnamese typed with or without diacritics, the files' text,
visibility (never a document the person may not see, over services and HTTP, exports
included), filters, saved searches, exports, the reindex command and the data migration."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from approvals import services
from documents import search as search_index
from documents import services as documents
from documents.models import Document, SavedSearch, SearchEntry
from documents.people import display_name
from documents.search.index import extract_text
from documents.search.query import search
from documents.search.text import normalise, words
from tests.documents.pdf_helpers import pdf_text

SEARCH = reverse("records:search")
XLSX = reverse("records:search_xlsx")
PDF = reverse("records:search_pdf")
OTHER_SUBJECT = "Kế hoạch kiểm tra xe khách tuyến cố định dịp Tết"
UNIT_SUBJECT = "Kế hoạch tuyên truyền cổng thông tin điện tử về đường ngang"
SECRET_SUBJECT = "Phương án bảo vệ mục tiêu trọng điểm dịp Quốc khánh"


def found(user, q: str, **filters) -> list[Document]:
    return list(search(user, q, filters))


@pytest.fixture
def indexed(seed_plan):
    search_index.reindex(seed_plan)
    return seed_plan


def draft(users, username: str, subject: str, seed_plan, **fields) -> Document:
    return documents.document_create(
        actor=users[username],
        organization=seed_plan.organization,
        document_type=seed_plan.document_type,
        subject=subject,
        recipients=[
            documents.RecipientSpec(line.text, list(line.units.all()))
            for line in seed_plan.recipient_lines.all()
        ],
        **fields,
    )


def issue(document: Document, users) -> Document:
    services.document_submit(document=document, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=document, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=document, actor=users.vanthu)
    document.refresh_from_db()
    return document


# --- typing Vietnamese ----------------------------------------------------------------------


def test_normalise_strips_marks_folds_d_and_case_and_punctuation():
    assert normalise("Kế hoạch  Bảo ĐẢM trật tự, an toàn\tgiao thông") == (
        "ke hoach bao dam trat tu an toan giao thong"
    )
    assert normalise("Số 15/KH-SGTVT") == "so 15 kh sgtvt"
    assert normalise("Đường") == normalise("đường") == "duong"
    assert words("an AN toàn") == ["an", "toan"]


@pytest.mark.parametrize(
    "q",
    [
        "ke hoach an toan giao thong",
        "KE HOACH",
        "Kế hoạch an toàn giao thông",
        "bao dam trat tu",
        "bảo đảm trật tự",
        "BẢO ĐẢM",
        "bao đam",  # đ typed, d written the other way round: both are d
        "dam bao thi dua",
        "  phát   động,  ",
    ],
)
def test_the_seed_plan_is_found_however_it_is_typed(indexed, users, q):
    assert indexed in found(users.chuyenvien, q)


@pytest.mark.parametrize("q", ["ke hoach tau bay", "duongthuy", "xyz"])
def test_every_word_must_be_there(indexed, users, q):
    assert indexed not in found(users.chuyenvien, q)


def test_a_short_word_is_matched_whole(indexed, users):
    assert indexed in found(users.chuyenvien, "an toan")
    # "oa" stands inside "hoach", "toan", but is no word of the plan.
    assert indexed not in found(users.chuyenvien, "oa")


def test_the_number_of_an_issued_document_is_searchable(issued, users):
    assert issued.notation
    assert issued in found(users.vanthu, issued.notation)
    assert issued in found(users.vanthu, issued.notation.lower().replace("/", " "))


def test_an_edit_reindexes(indexed, users):
    documents.document_update(
        document=indexed, actor=users.chuyenvien, subject="Kế hoạch phòng chống bão lũ"
    )
    assert indexed in found(users.chuyenvien, "phong chong bao lu")
    head = SearchEntry.objects.get(document=indexed).text.split("|")[0]
    assert head == " ke hoach ke hoach phong chong bao lu "


# --- the files' text ------------------------------------------------------------------------


def pdf_with(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()


def docx_with(text: str) -> bytes:
    import docx

    word = docx.Document()
    word.add_paragraph(text)
    table = word.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "Bảng phụ lục đèn tín hiệu"
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def test_text_inside_an_attached_pdf_and_docx_is_found(indexed, users):
    pdf = pdf_with("Biên bản kiểm tra phương tiện đường thủy nội địa")
    documents.attachment_add(
        document=indexed,
        actor=users.chuyenvien,
        upload=SimpleUploadedFile("bien-ban.pdf", pdf, content_type="application/pdf"),
    )
    assert indexed in found(users.chuyenvien, "phuong tien duong thuy noi dia")
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    documents.attachment_add(
        document=indexed,
        actor=users.chuyenvien,
        upload=SimpleUploadedFile(
            "danh-sach.docx", docx_with("Danh sách điểm đen tai nạn Quốc lộ 1A"), docx_type
        ),
    )
    assert indexed in found(users.chuyenvien, "diem den tai nan quoc lo")
    assert indexed in found(users.chuyenvien, "den tin hieu")  # a table cell
    assert indexed in found(users.chuyenvien, "duong thuy")  # the PDF's still there


def test_a_damaged_file_gives_no_text_and_no_error():
    assert extract_text(b"%PDF-1.7 garbage", name="x.pdf") == ""
    assert extract_text(b"PK\x03\x04 not a zip", name="x.docx") == ""
    assert extract_text(b"\x89PNG", name="x.png") == ""


# --- visibility -----------------------------------------------------------------------------


@pytest.fixture
def others(seed_plan, users, indexed):
    """A draft of another chuyên viên of Văn phòng, one of another unit, and a confidential
    document issued (its leaders do not see it) beside a plain one."""
    other = draft(users, "chanhvanphong", OTHER_SUBJECT, seed_plan)
    unit = draft(users, "ttbcxb", UNIT_SUBJECT, seed_plan)
    secret = issue(
        draft(users, "chuyenvien", SECRET_SUBJECT, seed_plan, confidentiality="mat"), users
    )
    return other, unit, secret


def test_a_document_the_person_may_not_see_is_never_found(others, users):
    other, unit, secret = others
    assert found(users.chanhvanphong, "xe khach tuyen co dinh") == [other]
    assert found(users.chuyenvien, "xe khach tuyen co dinh") == []
    assert found(users.vanthu, "xe khach tuyen co dinh") == []
    assert found(users.ttbcxb, "cong thong tin duong ngang") == [unit]
    assert found(users.chuyenvien, "cong thong tin duong ngang") == []
    assert found(users.chuyenvien, "muc tieu trong diem") == [secret]
    assert found(users.giamdoc, "muc tieu trong diem") == []
    assert found(users.congan, "muc tieu trong diem") == [secret]  # a recipient unit
    assert found(users.quantri, "ke hoach") == []
    # Without words, only filters: still only what the person sees.
    listed = set(search(users.chuyenvien, "", {}))
    assert other not in listed and unit not in listed and secret in listed


def test_over_http_neither_the_page_nor_its_count_nor_the_exports_leak(others, client_for):
    other, unit, secret = others
    chuyenvien = client_for("chuyenvien")
    for q, subject in [
        ("xe khach tuyen co dinh", OTHER_SUBJECT),
        ("tuyen truyen cong thong tin dien tu ve duong ngang", UNIT_SUBJECT),
    ]:
        response = chuyenvien.get(SEARCH, {"q": q})
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == 0
        assert subject not in response.content.decode()
        book = load_workbook(io.BytesIO(chuyenvien.get(XLSX, {"q": q}).content))
        cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
        assert not any(subject in cell for cell in cells)
        assert normalise(subject)[:20] not in normalise(
            pdf_text(chuyenvien.get(PDF, {"q": q}).content)
        )
    giamdoc = client_for("giamdoc")
    response = giamdoc.get(SEARCH, {"q": "muc tieu trong diem"})
    assert response.context["page_obj"].paginator.count == 0
    assert SECRET_SUBJECT not in response.content.decode()
    owner = client_for("chanhvanphong").get(SEARCH, {"q": "xe khach"})
    assert OTHER_SUBJECT in owner.content.decode()
    assert owner.context["page_obj"].paginator.count == 1


# --- filters --------------------------------------------------------------------------------


def test_filters_narrow_the_results(others, users, indexed):
    secret = others[2]
    user = users.chuyenvien
    assert found(user, "ke hoach", status=Document.Status.DRAFT) == [indexed]
    assert found(user, "ke hoach", origin=Document.Origin.INCOMING) == []
    assert found(user, "", confidentiality="mat") == [secret]
    assert indexed in found(user, "", confidentiality="")  # Thường
    assert secret not in found(user, "", confidentiality="")
    assert found(user, "", urgency="hoa_toc") == []
    day = secret.issued_on
    assert found(user, "", issued_from=day, issued_to=day) == [secret]
    assert found(user, "", document_type=indexed.document_type, status="draft") == [indexed]


def test_filters_over_http(others, client_for, indexed):
    client = client_for("chuyenvien")
    day = others[2].issued_on.strftime("%d/%m/%Y")
    response = client.get(SEARCH, {"issued_from": day, "issued_to": day, "confidentiality": "mat"})
    assert response.status_code == 200
    assert list(response.context["results"]) == [others[2]]
    response = client.get(SEARCH, {"q": "ke hoach", "urgency": "thuong", "status": "draft"})
    assert indexed in response.context["results"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"issued_from": "31/02/2020"}, "issued_from"),
        ({"issued_from": "2020-01-01"}, "issued_from"),
        ({"issued_from": "05/06/2020", "issued_to": "01/06/2020"}, "issued_to"),
        ({"document_type": str(10**25)}, "document_type"),
        ({"status": "gone"}, "status"),
        ({"origin": "x"}, "origin"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_filters_are_form_errors(indexed, client_for, params, field):
    client = client_for("chuyenvien")
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "results" not in response.context
    assert client.get(XLSX, params).status_code == 422
    assert client.get(PDF, params).status_code == 422


# --- saved searches -------------------------------------------------------------------------


def test_saved_searches_per_person(indexed, users, client_for):
    client = client_for("chuyenvien")
    create = reverse("records:saved_search_create")
    response = client.post(create, {"name": "Kế hoạch ATGT", "query": "?q=ke+hoach&status=draft"})
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=users.chuyenvien)
    assert saved.query == "q=ke+hoach&status=draft"
    page = client.get(SEARCH)
    assert "Kế hoạch ATGT" in page.content.decode()
    assert list(page.context["saved_searches"]) == [saved]
    # The same name again: a form error, nothing saved.
    response = client.post(create, {"name": "Kế hoạch ATGT", "query": "q=x"})
    assert response.status_code == 422
    assert "name" in response.context["save_form"].errors
    assert SavedSearch.objects.count() == 1
    # Another person: their own list, the same name allowed, and no deleting of others'.
    other = client_for("chanhvanphong")
    assert "Kế hoạch ATGT" not in other.get(SEARCH).content.decode()
    assert other.post(create, {"name": "Kế hoạch ATGT", "query": ""}).status_code == 302
    delete = reverse("records:saved_search_delete", args=[saved.pk])
    assert other.post(delete).status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()
    assert SavedSearch.objects.filter(user=users.chanhvanphong).count() == 1


def test_a_saved_search_needs_a_name(client_for):
    response = client_for("chuyenvien").post(reverse("records:saved_search_create"), {"name": " "})
    assert response.status_code == 422
    assert SavedSearch.objects.count() == 0


# --- the page and the exports ---------------------------------------------------------------


def test_the_page_shows_ranked_paged_results(indexed, client_for):
    client = client_for("chuyenvien")
    empty = client.get(SEARCH)
    assert empty.status_code == 200 and "results" not in empty.context
    response = client.get(SEARCH, {"q": "ke hoach an toan giao thong"})
    assert response.status_code == 200
    assert indexed.subject in response.content.decode()
    assert f'href="{XLSX}?q=ke+hoach+an+toan+giao+thong"' in response.content.decode()
    assert client.get(SEARCH, {"q": "ke hoach", "page": "999"}).status_code == 200


def test_a_phrase_in_the_subject_ranks_first(indexed, users, seed_plan):
    body_only = draft(users, "chuyenvien", "Công văn về việc họp giao ban", seed_plan)
    documents.document_update(
        document=body_only, actor=users.chuyenvien, body="Về trật tự an toàn giao thông năm 2020."
    )
    # body_only is newer, but the plan has the phrase in its subject.
    assert found(users.chuyenvien, "an toan giao thong")[:2] == [indexed, body_only]


def test_the_xlsx_export_opens_and_lists_the_results(indexed, client_for, users):
    response = client_for("chuyenvien").get(XLSX, {"q": "ke hoach an toan"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "STT"
    assert rows[1][4] == indexed.subject
    assert any(row[0] and str(row[0]).startswith("In từ hệ thống Văn thư") for row in rows)


def test_the_pdf_export_opens_and_carries_the_print_mark(indexed, client_for, users):
    response = client_for("chuyenvien").get(PDF, {"q": "ke hoach an toan"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = normalise(pdf_text(response.content))
    assert "in tu he thong van thu" in text
    assert normalise(display_name(users.chuyenvien)) in text
    assert normalise(indexed.subject) in text


def test_exports_are_capped(indexed, client_for, monkeypatch):
    from approvals.ui.records import search as views

    monkeypatch.setattr(views, "EXPORT_CAP", 0)
    response = client_for("chuyenvien").get(XLSX, {"q": "ke hoach"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert any(row[0] and str(row[0]).startswith("Chỉ xuất 0 văn bản") for row in rows)


# --- the command and the data migration -----------------------------------------------------


def test_reindex_search_command_fills_every_entry(demo):
    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("reindex_search", stdout=out)
    assert SearchEntry.objects.count() == Document.objects.count() > 0
    assert f"{Document.objects.count()} văn bản" in out.getvalue()
    SearchEntry.objects.filter(pk=SearchEntry.objects.first().pk).delete()
    out = io.StringIO()
    call_command("reindex_search", "--missing", stdout=out)
    assert "1 văn bản" in out.getvalue()
    assert SearchEntry.objects.count() == Document.objects.count()


def test_the_data_migration_fills_entries(seed_plan, users):
    SearchEntry.objects.all().delete()
    migration = importlib.import_module("documents.migrations.0016_fill_search_entries")
    migration.fill_entries(apps, connection.schema_editor())
    assert SearchEntry.objects.count() == Document.objects.count()
    assert seed_plan in found(users.chuyenvien, "phat dong phong trao thi dua")


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram ranking: PostgreSQL")
def test_on_postgresql_results_carry_a_trigram_rank(indexed, users):
    results = list(search(users.chuyenvien, "an toan giao thong"))
    assert results[0] == indexed
    assert 0 < results[0].rank <= 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_text_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
