"""Reading rendered PDFs back in tests: text, fonts, positions, form fields."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader, PdfWriter


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space, as line breaks fall anywhere."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: bytes) -> str:
    """All page text of a PDF, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return normalise(" ".join(page.extract_text() for page in reader.pages))


def text_chunks(pdf: bytes, page_index: int) -> list[tuple[str, str, float, float]]:
    """(text, font name, x, y) of every text operation on a page."""
    reader = PdfReader(io.BytesIO(pdf))
    chunks: list[tuple[str, str, float, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            font = str(font_dict.get("/BaseFont", "")) if font_dict else ""
            chunks.append((text, font, cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    reader.pages[page_index].extract_text(visitor_text=visit)
    return chunks


def fonts(pdf: bytes) -> dict[str, object]:
    """Every font used on any page, by base name, with its font descriptor."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, object] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            found[str(font["/BaseFont"])] = descriptor.get_object() if descriptor else None
    return found


def form_fields(pdf: bytes) -> dict[str, object]:
    """Form fields by name with their values."""
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    return {name: field.get("/V") for name, field in fields.items()}


def pdf_bytes() -> bytes:
    """A valid one-page blank A4 PDF, as an upload."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
