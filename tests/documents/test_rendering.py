"""The seed plan in the Decree 30 layout, as PDF and DOCX, read back as a reader would."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from documents import services
from documents.models import DocumentType
from documents.rendering import render_docx, render_pdf, slots
from documents.rendering.markup import BlockKind, parse_body

from .pdf_helpers import fonts, form_fields, normalise, pdf_text, text_chunks

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
SEED_PASSAGES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND TỈNH BÌNH PHƯỚC",
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "KẾ HOẠCH",
    "Phát động phong trào thi đua bảo đảm trật tự an toàn giao thông năm 2020",
    "Thực hiện kế hoạch số 83/KH-UBND ngày 01/4/2020 về phát động phong trào thi đua bảo đảm "
    "trật tự an toàn giao thông năm 2020, Sở Thông tin và Truyền thông xây dựng kế hoạch triển "
    "khai thực hiện, như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "Tiếp tục thực hiện năm an toàn giao thông 2020 với chủ đề “Đã uống rượu, bia, không lái xe”.",
    "Đặc biệt thực hiện tốt chủ đề năm an toàn giao thông 2020 “Đã uống rượu, bia, không lái xe”.",
    "+ Định hướng tuyên truyền đối với cơ quan báo chí, thông tin cơ sở: Phòng Thông tin - Báo chí "
    "- Xuất bản chủ trì thực hiện.",
    "- Thời gian thực hiện: Trong năm 2020.",
    "III. TỔ CHỨC THỰC HIỆN",
    "đề nghị các phòng, đơn vị thuộc Sở triển khai thực hiện tốt những nhiệm vụ được giao./.",
    # Phụ lục I, II.9: the records office and the drafting unit (Văn phòng); no copies given.
    "Nơi nhận: - Công an tỉnh; - Các phòng, Trung tâm; - Lưu: VT, VP.",
    "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC",
]


def render(document, **kwargs) -> bytes:
    stream = io.BytesIO()
    render_pdf(document, stream, **kwargs)
    return stream.getvalue()


@pytest.fixture
def issued_pdf(issued_plan) -> bytes:
    return render(issued_plan)


def test_issued_plan_pdf_has_the_seed_wording_with_number_and_date(issued_pdf, issued_plan):
    text = pdf_text(issued_pdf)
    for passage in SEED_PASSAGES:
        assert passage in text
    year = issued_plan.issued_on.year
    assert f"Số: 01/KH-STTTT Bình Phước, ngày 16 tháng 4 năm {year}" in text
    assert issued_plan.signer_name in text
    assert "**" not in text and "DỰ THẢO" not in text


def test_every_body_paragraph_is_printed_character_for_character(issued_pdf, issued_plan):
    text = pdf_text(issued_pdf)
    for block in parse_body(issued_plan.body):
        assert normalise(block.text) in text


def test_double_asterisk_markup_is_printed_bold(issued_pdf):
    chunks = [chunk for page in range(2) for chunk in text_chunks(issued_pdf, page)]
    slogan = [font for text, font, _x, _y in chunks if "Đã uống rượu, bia, không lái xe" in text]
    assert slogan and all("Bold" in font for font in slogan)
    opening = [font for text, font, _x, _y in chunks if text.startswith("Thực hiện kế hoạch")]
    assert opening and all("Bold" not in font for font in opening)


def test_pdf_is_a4_portrait(issued_pdf):
    for page in PdfReader(io.BytesIO(issued_pdf)).pages:
        assert round(float(page.mediabox.width) * 25.4 / 72) == 210
        assert round(float(page.mediabox.height) * 25.4 / 72) == 297


def test_fonts_are_embedded_times_metric_serif(issued_pdf):
    found = fonts(issued_pdf)
    assert found
    for name, descriptor in found.items():
        assert "Liberation-Serif" in name or "TimesNewRoman" in name
        assert descriptor is not None and "/FontFile2" in descriptor


def test_page_numbers_are_top_centre_from_page_two(issued_pdf):
    reader = PdfReader(io.BytesIO(issued_pdf))
    height = float(reader.pages[0].mediabox.height)
    top_margin = height - 20 * 72 / 25.4
    assert len(reader.pages) > 1
    for index in range(len(reader.pages)):
        in_margin = [
            (t.strip(), x) for t, _f, x, y in text_chunks(issued_pdf, index) if y > top_margin
        ]
        if index == 0:
            assert in_margin == []
        else:
            assert [t for t, _x in in_margin] == [str(index + 1)]
            assert abs(in_margin[0][1] - (30 + 165 / 2) * 72 / 25.4) < 15


def test_draft_is_marked_and_leaves_number_and_date_blank(seed_plan):
    text = pdf_text(render(seed_plan))
    assert "DỰ THẢO" in text
    assert "Số: /KH-STTTT" in text
    assert f"Bình Phước, ngày tháng năm {timezone.localdate().year}" in text
    assert form_fields(render(seed_plan)) == {}


def test_signed_off_pdf_has_blank_fields_for_number_date_and_signatures(signed_plan):
    pdf = render(signed_plan)
    assert "DỰ THẢO" not in pdf_text(pdf)
    fields = form_fields(pdf)
    assert set(fields) == {slots.NUMBER, slots.DATE, slots.SIGNATURE, slots.AGENCY_SIGNATURE}
    # The number and the day and month are blank, as the decree's forms print them; the year
    # of sign-off is filled in already.
    year = timezone.localtime(signed_plan.signed_off_at).year
    assert (fields[slots.NUMBER], fields[slots.DATE]) == ("…/KH-STTTT", f"… tháng … năm {year}")
    assert not any(char.isdigit() for char in fields[slots.NUMBER])


def test_draft_mark_can_be_forced_either_way(seed_plan, issued_plan):
    assert "DỰ THẢO" not in pdf_text(render(seed_plan, draft_mark=False))
    assert "DỰ THẢO" in pdf_text(render(issued_plan, draft_mark=True))


def test_urgency_and_confidentiality_marks_are_printed_when_set(seed_plan, users):
    plan = services.document_update(
        document=seed_plan, actor=users.chuyenvien, urgency="thuong_khan", confidentiality="mat"
    )
    text = pdf_text(render(plan))
    assert "THƯỢNG KHẨN" in text and "MẬT" in text


def test_cong_van_has_v_v_subject_and_no_type_name(seed_plan, users):
    cong_van = DocumentType.objects.get(name="Công văn")
    plan = services.document_update(
        document=seed_plan, actor=users.chuyenvien, document_type=cong_van
    )
    text = pdf_text(render(plan))
    assert "Số: /STTTT-VP" in text
    assert "V/v Phát động phong trào thi đua" in text
    assert "KẾ HOẠCH" not in text


@pytest.mark.once  # one writer of test-artifacts/ when CI runs both passes at once
def test_page_one_png_is_saved_as_a_test_artefact(issued_pdf):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "apt-get install poppler-utils"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "ke-hoach-ttatgt-2020.pdf"
    pdf_path.write_bytes(issued_pdf)
    subprocess.run(  # noqa: S603
        [
            pdftoppm,
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf_path,
            ARTIFACTS / "ke-hoach-ttatgt-2020-trang-1",
        ],
        check=True,
    )
    png = ARTIFACTS / "ke-hoach-ttatgt-2020-trang-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _docx(document) -> docx.document.Document:
    stream = io.BytesIO()
    render_docx(document, stream)
    if document.number:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "ke-hoach-ttatgt-2020.docx").write_bytes(stream.getvalue())
    return docx.Document(io.BytesIO(stream.getvalue()))


def _all_paragraphs(document: docx.document.Document) -> list:
    found = list(document.paragraphs)
    for table in document.tables:
        for cell in table._cells:
            found.extend(cell.paragraphs)
    return found


def test_docx_has_the_parts_and_every_body_paragraph(issued_plan):
    texts = [p.text for p in _all_paragraphs(_docx(issued_plan))]
    for line in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH BÌNH PHƯỚC",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "Số: 01/KH-STTTT",
        f"Bình Phước, ngày 16 tháng 4 năm {issued_plan.issued_on.year}",
        "KẾ HOẠCH",
        issued_plan.subject,
        "Nơi nhận:",
        "- Công an tỉnh;",
        "- Các phòng, Trung tâm;",
        "- Lưu: VT, VP.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        issued_plan.signer_name,
    ):
        assert line in texts
    for block in parse_body(issued_plan.body):
        assert block.text in texts


def test_docx_uses_times_new_roman_a4_and_bold_markup(issued_plan):
    document = _docx(issued_plan)
    assert document.styles["Normal"].font.name == "Times New Roman"
    runs = [run for p in _all_paragraphs(document) for run in p.runs if run.text.strip()]
    assert {run.font.name for run in runs} == {"Times New Roman"}
    slogan = [run for run in runs if run.text == "Đã uống rượu, bia, không lái xe"]
    assert len(slogan) == 2 and all(run.font.bold for run in slogan)
    section = document.sections[0]
    size = (section.page_width, section.page_height, section.left_margin, section.right_margin)
    assert [round(length.mm) for length in size] == [210, 297, 30, 15]
    assert section.different_first_page_header_footer


def test_docx_of_a_draft_is_marked_with_blanks(seed_plan):
    texts = [p.text.strip() for p in _all_paragraphs(_docx(seed_plan))]
    assert "DỰ THẢO" in texts
    assert "Số:       /KH-STTTT" in texts
    assert f"Bình Phước, ngày        tháng      năm {timezone.localdate().year}" in texts


def test_body_paragraph_kinds_follow_the_decree_numbering(seed_plan):
    kinds = {block.text[:12]: block.kind for block in parse_body(seed_plan.body)}
    assert kinds["I. MỤC ĐÍCH,"] == BlockKind.SECTION
    assert kinds["1. Mục đích"] == BlockKind.HEADING
    assert kinds["- Phân công "] == BlockKind.DASH
    assert kinds["+ Tuyên truy"] == BlockKind.PLUS
    assert kinds["Thực hiện kế"] == BlockKind.TEXT


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_render_document_command_writes_the_file(issued_plan, tmp_path, fmt):
    output = tmp_path / f"plan.{fmt}"
    call_command(
        "render_document", issued_plan.pk, "--format", fmt, "-o", output, stdout=io.StringIO()
    )
    assert output.read_bytes()[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04")
