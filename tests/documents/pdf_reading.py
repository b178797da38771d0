"""Reading a PDF's lines with pypdf as a reader sees them: the page content and the text
of filled form fields, each at its place on the page.

pypdf's page.extract_text() reads the page content only. The number and date of an issued
document are form fields filled after the signer signed (documents.rendering.fields), so
their text is in each widget's appearance stream: pypdf reads it with extract_xform_text,
and this module sets it at the widget's place, as poppler's pdftotext does."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

BASELINE_TOLERANCE = 0.5  # pt: pieces whose baselines differ by less are on one line


@dataclass(frozen=True)
class Piece:
    text: str
    x: float
    y: float


def _content_pieces(page) -> list[Piece]:
    pieces: list[Piece] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            pieces.append(Piece(text, cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    page.extract_text(visitor_text=visit)
    return pieces


def _field_pieces(page) -> list[Piece]:
    """The text of each widget's normal appearance, moved to the widget's rectangle."""
    pieces: list[Piece] = []
    for annotation in page.get("/Annots") or []:
        widget = annotation.get_object()
        appearance = widget.get("/AP", DictionaryObject()).get("/N")
        if widget.get("/Subtype") != "/Widget" or appearance is None:
            continue
        x1, y1 = (float(value) for value in widget["/Rect"][:2])

        def visit(text, cm, tm, _font, _size, x1=x1, y1=y1):
            if text.strip():
                pieces.append(Piece(text, x1 + cm[4] + tm[4], y1 + cm[5] + tm[5]))

        page.extract_xform_text(appearance.get_object(), visitor_text=visit)
    return pieces


def page_lines(pdf: bytes | PdfReader, page_index: int = 0, *, fields: bool = True) -> list[str]:
    """The page's lines top to bottom, each the pieces on one baseline left to right joined
    by a space, whitespace collapsed; with fields=False the page content alone."""
    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))
    page = reader.pages[page_index]
    pieces = _content_pieces(page) + (_field_pieces(page) if fields else [])
    lines: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (-p.y, p.x)):
        if lines and abs(lines[-1][0].y - piece.y) < BASELINE_TOLERANCE:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return [
        re.sub(r"\s+", " ", " ".join(p.text for p in sorted(line, key=lambda p: p.x))).strip()
        for line in lines
    ]
