"""The issued PDF reads right: number and date set tight after "Số:" and "ngày", readable by
pypdf, the header on its lines for every type and mark, and the "Lưu" line of Phụ lục I."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from documents import services
from documents.models import Document, DocumentType, Rendition
from documents.rendering import document_parts, render_docx, render_pdf, slots
from documents.rendering.parts import recipient_lines
from documents.rendering.pdf import render_html
from tests.conftest import ISSUE_DATE

from .pdf_helpers import form_fields, pdf_text
from .pdf_reading import page_lines

# Independent of the test database's backend: CI runs it in the SQLite pass only.
pytestmark = pytest.mark.once

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
LONG_SUBJECT = (
    "Đề nghị phối hợp triển khai thực hiện kế hoạch bảo đảm trật tự an toàn giao thông, "
    "ứng dụng công nghệ thông tin trong quản lý, điều hành và xử lý vi phạm năm 2020"
)


def _issue(document: Document, users, issued_on: dt.date = ISSUE_DATE) -> bytes:
    document = services.document_submit(
        document=document, actor=users.chuyenvien, signer=users.phogiamdoc
    )
    document = services.document_sign_off(document=document, actor=users.phogiamdoc)
    document = services.document_issue(document=document, actor=users.vanthu, issued_on=issued_on)
    with document.renditions.get(kind=Rendition.Kind.ISSUED).file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def urgent_cong_van(seed_plan, users) -> Document:
    """The seed plan as a công văn, HỎA TỐC and MẬT, with a long trích yếu."""
    return services.document_update(
        document=seed_plan,
        actor=users.chuyenvien,
        document_type=DocumentType.objects.get(name="Công văn"),
        subject=LONG_SUBJECT,
        urgency=Document.Urgency.HOA_TOC,
        confidentiality=Document.Confidentiality.MAT,
        archive_copies=2,
    )


# --- the issued original, as readers read it -----------------------------------------


def test_issued_cong_van_reads_right_with_pypdf_and_poppler(urgent_cong_van, users):
    issued_on = dt.date(ISSUE_DATE.year, 1, 5)
    pdf = _issue(urgent_cong_van, users, issued_on)
    lines = page_lines(pdf)
    date_line = f"Bình Phước, ngày 05 tháng 01 năm {issued_on.year}"
    assert NATIONAL_NAME in lines[0]
    assert "Số: 01/STTTT-VP" in lines
    assert date_line in lines
    assert any(line.startswith("V/v Đề nghị phối hợp") for line in lines)
    # poppler draws the fields' appearances where they are: the same two lines.
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "apt-get install poppler-utils"
    text = subprocess.run(  # noqa: S603
        [pdftotext, "-f", "1", "-l", "1", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert re.search(r"Số: 01/STTTT-VP +" + re.escape(date_line), text)
    assert re.search(re.escape(NATIONAL_NAME) + r"\n", text)


def test_pypdf_reads_the_issued_number_and_date_from_fields_and_metadata(issued_plan):
    """What "extractable by pypdf" means for values filled after the signer signed: the page
    content is what the signer signed and holds "Số:" and "ngày" only; the values are the
    fields' text and the document information (see documents.rendering.fields)."""
    with issued_plan.renditions.get(kind=Rendition.Kind.ISSUED).file.open("rb") as handle:
        pdf = handle.read()
    year = issued_plan.issued_on.year
    assert "Số: Bình Phước, ngày KẾ HOẠCH" in pdf_text(pdf)  # page content alone
    assert (form_fields(pdf)[slots.NUMBER], form_fields(pdf)[slots.DATE]) == (
        "01/KH-STTTT",
        f"16 tháng 4 năm {year}",
    )
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert {key: info[key] for key in ("/CodeNumber", "/CodeNotation", "/IssuedDate")} == {
        "/CodeNumber": "01",
        "/CodeNotation": "KH-STTTT",
        "/IssuedDate": f"{year}-04-16",
    }
    assert info["/OrganName"] == "Sở Thông tin và Truyền thông"
    assert info["/Subject"] == issued_plan.subject
    assert info["/TypeName"] == "Kế hoạch"
    assert info.title == f"Kế hoạch số 01/KH-STTTT ngày 16/4/{year}: {issued_plan.subject}"


def test_number_and_date_fields_start_right_after_so_and_ngay(issued_plan):
    with issued_plan.renditions.get(kind=Rendition.Kind.ISSUED).file.open("rb") as handle:
        pdf = handle.read()
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fields = {
        str(annotation.get_object()["/T"]): annotation.get_object()
        for annotation in page["/Annots"]
        if annotation.get_object().get("/FT") == "/Tx"
    }
    assert {name: int(field["/Q"]) for name, field in fields.items()} == {
        slots.NUMBER: 0,
        slots.DATE: 0,
    }
    ends = {}

    def visit(text, cm, tm, font, size):
        if text in ("Số: ", "Bình Phước, ngày "):
            ends[text] = cm[4] + tm[4] * cm[0]

    page.extract_text(visitor_text=visit)
    # Each field begins within a word's width of its label, nothing printed in between.
    number_x = float(fields[slots.NUMBER]["/Rect"][0])
    date_x = float(fields[slots.DATE]["/Rect"][0])
    assert 0 < number_x - ends["Số: "] < 30
    assert 0 < date_x - ends["Bình Phước, ngày "] < 120


def test_signers_signature_stays_valid_with_the_metadata_update(urgent_cong_van, users):
    from documents import signing

    pdf = _issue(urgent_cong_van, users)
    first, second = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    assert first.ok and second.ok
    assert first.later_changes == "form_filling"


# --- the header never wraps ------------------------------------------------------------

TYPES = json.loads((Path(settings.BASE_DIR) / "fixtures" / "document_types.json").read_text())


def _combinations(seed_plan: Document) -> list[tuple[str, object]]:
    """Every type × urgency × confidentiality, with a long trích yếu, numbered 999 on the
    widest date, as parts of one page each (the body and recipients left out)."""
    combos = []
    for fixture in TYPES:
        document_type = DocumentType(**fixture["fields"])
        for urgency in Document.Urgency.values:
            for confidentiality in Document.Confidentiality.values:
                seed_plan.document_type = document_type
                seed_plan.urgency, seed_plan.confidentiality = urgency, confidentiality
                seed_plan.subject = LONG_SUBJECT
                parts = dataclasses.replace(
                    document_parts(seed_plan, draft_mark=False),
                    number="999",
                    issued_on=dt.date(2020, 11, 30),
                    blocks=[],
                )
                combos.append((f"{document_type.name}/{urgency}/{confidentiality}", parts))
    return combos


@pytest.mark.slow
def test_national_name_and_date_line_stay_on_one_line_for_every_type_and_mark(seed_plan):
    from weasyprint import HTML

    combos = _combinations(seed_plan)
    assert len(combos) == len(TYPES) * 4 * 4
    # One PDF, one page per combination, each page the header table of the document's HTML
    # (what follows it cannot reach back into it): set once, in one WeasyPrint run.
    pages = []
    for index, (_label, parts) in enumerate(combos):
        head, body = render_html(parts).split("<body>")
        header = body[: body.index("</table>") + len("</table>")]
        style = "break-before: page" if index else ""
        pages.append(f'<div style="{style}">{header}</div>')
    pdf = HTML(string=head + "<body>" + "".join(pages) + "</body></html>").write_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(combos)  # each combination on its own page
    date_line = "Bình Phước, ngày 30 tháng 11 năm 2020"
    for index, (label, parts) in enumerate(combos):
        lines = page_lines(reader, index)
        assert any(line.endswith(NATIONAL_NAME) for line in lines), label
        assert any(line.endswith(date_line) for line in lines), label
        assert f"Số: 999/{parts.notation_suffix}" in lines, label


# --- the last Nơi nhận line ------------------------------------------------------------


def test_archive_line_names_the_records_office_the_drafting_unit_and_the_copies():
    texts = ["Công an tỉnh", "Lưu: VT", "Các phòng, Trung tâm"]
    assert recipient_lines(texts, drafting_unit="VP", archive_copies=2) == [
        "- Công an tỉnh;",
        "- Các phòng, Trung tâm;",
        "- Lưu: VT, VP (2).",
    ]
    assert recipient_lines(texts, drafting_unit="VP")[-1] == "- Lưu: VT, VP."
    assert recipient_lines(["Như trên"], drafting_unit="VP", archive_copies=3) == [
        "- Như trên;",
        "- Lưu: VT, VP (3).",
    ]
    # Worded otherwise by the drafter: printed as written.
    assert recipient_lines(["UBND tỉnh", "Lưu: VT, Hồ sơ"], drafting_unit="VP")[-1] == (
        "- Lưu: VT, Hồ sơ."
    )


def test_copies_entered_on_the_draft_are_printed_in_pdf_and_docx(seed_plan, users):
    plan = services.document_update(document=seed_plan, actor=users.chuyenvien, archive_copies=2)
    stream = io.BytesIO()
    render_pdf(plan, stream)
    assert "- Các phòng, Trung tâm; - Lưu: VT, VP (2)." in pdf_text(stream.getvalue())
    docx_stream = io.BytesIO()
    render_docx(plan, docx_stream)
    import docx

    document = docx.Document(io.BytesIO(docx_stream.getvalue()))
    texts = [p.text for table in document.tables for cell in table._cells for p in cell.paragraphs]
    assert "- Lưu: VT, VP (2)." in texts
    # The data keeps the drafter's line, which reaches the records office.
    assert list(plan.recipient_lines.values_list("text", flat=True))[-1] == "Lưu: VT"


def test_copies_are_part_of_the_signed_content(seed_plan, users):
    from django.core.exceptions import PermissionDenied

    from documents import integrity

    plan = services.document_update(document=seed_plan, actor=users.chuyenvien, archive_copies=2)
    before = integrity.content_hash(plan)
    plan.archive_copies = 3
    assert integrity.content_hash(plan) != before
    signed = services.document_sign_off(
        document=services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        ),
        actor=users.phogiamdoc,
    )
    signed.archive_copies = 5
    with pytest.raises(PermissionDenied):
        signed.save()


def test_page_one_of_the_issued_original_is_saved_as_a_png(issued_plan):
    """The signed and issued file itself (fields filled over the signed page), for a look."""
    with issued_plan.renditions.get(kind=Rendition.Kind.ISSUED).file.open("rb") as handle:
        pdf = handle.read()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "apt-get install poppler-utils"
    artifacts = Path(settings.BASE_DIR) / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "ke-hoach-ttatgt-2020-ban-hanh.pdf").write_bytes(pdf)
    png = artifacts / "ke-hoach-ttatgt-2020-ban-hanh-trang-1"
    subprocess.run(  # noqa: S603
        [pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", "-", png],
        input=pdf,
        check=True,
    )
    assert png.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
