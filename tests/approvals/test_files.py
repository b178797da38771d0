"""The document as files through HTTP: signed original, preview, DOCX, signature check."""

import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from documents.models import Rendition
from tests.approvals.test_views import detail, sign_off_url


def pdf_url(plan) -> str:
    return f"/documents/van-ban/{plan.pk}/pdf/"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_before_sign_off_the_pdf_is_a_preview_marked_draft(client_for, submitted):
    response = client_for("phogiamdoc").get(pdf_url(submitted))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(body_of(response))).pages[0].extract_text()
    assert "DỰ THẢO" in text
    assert "KẾ HOẠCH" in text


def test_the_sign_off_page_shows_the_pdf_the_deputy_will_sign(client_for, submitted):
    page = client_for("phogiamdoc").get(sign_off_url(submitted)).content.decode()
    assert 'data-testid="pdf-preview"' in page
    assert pdf_url(submitted) in page


def test_recipients_download_exactly_the_issued_signed_original(client_for, issued):
    original = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    for username in ["congan", "trungtam", "vanthu", "chuyenvien"]:
        response = client_for(username).get(pdf_url(issued) + "?download=1")
        assert response.status_code == 200, username
        data = body_of(response)
        assert hashlib.sha256(data).hexdigest() == original.sha256
        assert "attachment" in response["Content-Disposition"]
        assert "01-KH-STTTT.pdf" in response["Content-Disposition"]
    page = client_for("congan").get(detail(issued)).content.decode()
    assert original.sha256 in page


def test_the_receipt_page_offers_the_signed_original(client_for, issued):
    original = issued.renditions.get(kind=Rendition.Kind.ISSUED)
    receipt = issued.receipts.get(unit__abbreviation="CA")
    page = client_for("congan").get(f"/documents/phieu-nhan/{receipt.pk}/").content.decode()
    assert f'href="{pdf_url(issued)}"' in page
    assert "Bản PDF đã ký số" in page
    assert original.sha256 in page


def test_someone_outside_the_recipients_gets_404_for_the_pdf_and_docx(client_for, issued):
    outsider = client_for("bantatgt")  # Thường trực Ban ATGT is not in this Nơi nhận
    assert outsider.get(pdf_url(issued)).status_code == 404
    assert outsider.get(f"/documents/van-ban/{issued.pk}/docx/").status_code == 404


def test_docx_copy_downloads(client_for, submitted):
    response = client_for("chuyenvien").get(f"/documents/van-ban/{submitted.pk}/docx/")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert response["Content-Type"].endswith("wordprocessingml.document")


def verify(client, data: bytes, name="van-ban.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post("/documents/kiem-tra-chu-ky/", {"pdf": upload})


def test_verify_page_reports_both_signatures_of_the_issued_pdf(client_for, issued):
    data = issued.renditions.get(kind=Rendition.Kind.ISSUED).file.read()
    page = verify(client_for("congan"), data).content.decode()
    assert page.count('data-ok="true"') == 2
    assert "Trần Thị Bình" in page
    assert "Sở Thông tin và Truyền thông" in page
    assert "Nguyên vẹn" in page
    assert "ĐÃ BỊ THAY ĐỔI" not in page
    # Trusted for the configured anchor (the run's CA_CERT), with the chain that leads to it;
    # no timestamp and no revocation data in a demo signature, and the page says so.
    assert page.count('data-trusted="true"') == 2
    assert page.count("<li>Văn thư test CA</li>") == 2
    assert page.count("do máy của người ký tự ghi, không có dấu thời gian") == 2
    assert page.count('data-revocation="unknown"') == 2
    assert "Mức chữ ký: PAdES B-B" in page


def test_verify_page_says_when_a_byte_changed(client_for, issued):
    data = bytearray(issued.renditions.get(kind=Rendition.Kind.ISSUED).file.read())
    data[600] ^= 0xFF
    page = verify(client_for("congan"), bytes(data)).content.decode()
    assert 'data-ok="true"' not in page
    assert "ĐÃ BỊ THAY ĐỔI" in page


def test_verify_page_refuses_a_file_that_is_not_a_pdf(client_for, demo):
    response = verify(client_for("congan"), b"hello", name="note.txt")
    assert response.status_code == 200
    assert "Tệp này không phải là tệp PDF." in response.content.decode()
    assert 'data-testid="signature-reports"' not in response.content.decode()
