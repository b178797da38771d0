"""The document as a DOCX in the Decree 30 layout, written with python-docx, for offices
that still edit or print from Word."""

from __future__ import annotations

from typing import BinaryIO

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ..models import Document
from .fonts import FAMILY_DOCX, text_width_pt
from .markup import BlockKind
from .parts import DocumentParts, document_parts
from .pdf import MARGINS_MM

RED = RGBColor(0xE0, 0x00, 0x00)
HEADER_WIDTHS_MM = (75, 90)  # issuing body | national name; 165 mm between the margins
CLOSING_WIDTHS_MM = (75, 90)  # Nơi nhận | signer


def _set_font(
    run_or_style: object,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    color: RGBColor | None = None,
) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = FAMILY_DOCX
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    if color is not None:
        font.color.rgb = color
    r_pr = run_or_style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FAMILY_DOCX)


def _paragraph(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: int = WD_ALIGN_PARAGRAPH.CENTER,
    color: RGBColor | None = None,
    space_after: float = 0,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(space_after)
    if text:
        _set_font(paragraph.add_run(text), size, bold=bold, italic=italic, color=color)
    return paragraph


def _border(paragraph: Paragraph, side: str, *, color: str = "000000") -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", color)):
        edge.set(qn(key), value)
    borders.append(edge)


def _rule(cell: _Cell, cell_width_mm: float, length_pt: float) -> None:
    """A centred horizontal line of the given length under the previous paragraph."""
    paragraph = _paragraph(cell, size=2)
    paragraph.paragraph_format.line_spacing = Pt(2)
    indent = max(cell_width_mm * 72 / 25.4 - length_pt, 0) / 2
    paragraph.paragraph_format.left_indent = Pt(indent)
    paragraph.paragraph_format.right_indent = Pt(indent)
    _border(paragraph, "top")


def _boxed(cell: _Cell | DocxDocument, text: str, *, align: int) -> None:
    paragraph = _paragraph(cell, space_after=0, align=align)
    paragraph.paragraph_format.space_before = Pt(6)
    run = paragraph.add_run(f" {text} ")
    _set_font(run, 13, bold=True, color=RED)
    border = OxmlElement("w:bdr")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "0"), ("w:color", "E00000")):
        border.set(qn(key), value)
    run.element.get_or_add_rPr().append(border)


def _table(doc: DocxDocument, widths_mm: tuple[int, int]) -> tuple[_Cell, _Cell]:
    """A borderless two-column table of fixed widths with no cell padding."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    tbl_pr.append(margins)
    left, right = table.rows[0].cells
    for column, cell, width in zip(table.columns, (left, right), widths_mm, strict=True):
        column.width = Mm(width)
        cell.width = Mm(width)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return left, right


def _header(doc: DocxDocument, parts: DocumentParts) -> None:
    left, right = _table(doc, HEADER_WIDTHS_MM)
    if parts.parent_body:
        _paragraph(left, parts.parent_body, size=12)
    _paragraph(left, parts.issuing_body, size=12, bold=True)
    _rule(left, HEADER_WIDTHS_MM[0], text_width_pt(parts.issuing_body, 12, bold=True) * 0.4)
    _paragraph(left, parts.number_line, size=13).paragraph_format.space_before = Pt(6)
    if parts.is_cong_van:
        _paragraph(left, parts.subject_line, size=13).paragraph_format.space_before = Pt(6)
    for mark in (parts.confidentiality, parts.urgency):
        if mark:
            _boxed(left, mark, align=WD_ALIGN_PARAGRAPH.CENTER)
    national = _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = _("Độc lập - Tự do - Hạnh phúc")
    _paragraph(right, national, size=12, bold=True)
    _paragraph(right, motto, size=14, bold=True)
    _rule(right, HEADER_WIDTHS_MM[1], text_width_pt(motto, 14, bold=True))
    place_date = _paragraph(right, parts.place_date_line, size=14, italic=True)
    place_date.paragraph_format.space_before = Pt(6)


def _title(doc: DocxDocument, parts: DocumentParts) -> None:
    if parts.is_cong_van:
        return
    type_name = _paragraph(doc, parts.type_name, size=14, bold=True)
    type_name.paragraph_format.space_before = Pt(18)
    _paragraph(doc, parts.subject, size=14, bold=True)
    line = _paragraph(doc, size=2)
    indent = (165 * 72 / 25.4 - min(text_width_pt(parts.subject, 14, bold=True), 400) / 3) / 2
    line.paragraph_format.left_indent = Pt(indent)
    line.paragraph_format.right_indent = Pt(indent)
    line.paragraph_format.space_after = Pt(12)
    _border(line, "top")


def _body(doc: DocxDocument, parts: DocumentParts) -> None:
    heading = (BlockKind.SECTION, BlockKind.HEADING)
    for block in parts.blocks:
        paragraph = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6)
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.line_spacing = 1.15
        paragraph.paragraph_format.keep_with_next = block.kind in heading
        for run in block.runs:
            _set_font(paragraph.add_run(run.text), 14, bold=run.bold or block.kind in heading)


def _closing(doc: DocxDocument, parts: DocumentParts) -> None:
    left, right = _table(doc, CLOSING_WIDTHS_MM)
    start = WD_ALIGN_PARAGRAPH.LEFT
    _paragraph(left, _("Nơi nhận") + ":", size=12, bold=True, italic=True, align=start)
    for line in parts.recipients:
        _paragraph(left, line, size=11, align=start)
    if parts.authority:
        _paragraph(right, parts.authority, size=14, bold=True)
    _paragraph(right, parts.title, size=14, bold=True)
    for _blank in range(4):  # ô 7c: room for the signature and the seal
        _paragraph(right, size=14)
    _paragraph(right, parts.signer_name, size=14, bold=True)


def _page_numbers(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = True  # no number on page 1
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_font(run, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _new_document() -> DocxDocument:
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    _set_font(doc.styles["Normal"], 14)
    return doc


def render_docx(document: Document, stream: BinaryIO) -> None:
    """Write the document as an A4 DOCX in Times New Roman; drafts carry a DỰ THẢO mark."""
    parts = document_parts(document)
    with translation.override("vi"):
        doc = _new_document()
        if parts.draft:
            _boxed(doc, _("DỰ THẢO"), align=WD_ALIGN_PARAGRAPH.RIGHT)
        _header(doc, parts)
        _title(doc, parts)
        _body(doc, parts)
        _closing(doc, parts)
        _page_numbers(doc)
        doc.core_properties.title = f"{parts.type_name} {parts.subject}".strip()
        doc.core_properties.author = parts.issuing_body
    doc.save(stream)
