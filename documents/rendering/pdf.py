"""The document as a PDF in the Decree 30 layout, set by WeasyPrint from an HTML template."""

from __future__ import annotations

from typing import BinaryIO

from django.template.loader import render_to_string
from django.utils import translation

from ..models import Document
from . import fields, metadata, slots
from .parts import DocumentParts, document_parts

TEMPLATE = "documents/render/document.html"
# Phụ lục I, I.3: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}


def render_html(parts: DocumentParts) -> str:
    """The HTML WeasyPrint sets: the template with the document's parts."""
    context = {
        "parts": parts,
        "margins": MARGINS_MM,
        "info": metadata.render_info(parts),
        **slots.template_context(parts.notation_suffix),
    }
    with translation.override("vi"):
        return render_to_string(TEMPLATE, context)


def render_pdf(document: Document, stream: BinaryIO, *, draft_mark: bool | None = None) -> None:
    """Write the document as an A4 PDF with embedded fonts. Drafts carry a DỰ THẢO mark; a
    signed-off document gets form fields for its number, date and two digital signatures."""
    from weasyprint import HTML  # heavy import (Pango), only when a PDF is made

    parts = document_parts(document, draft_mark=draft_mark)
    pdf = HTML(string=render_html(parts)).write_pdf()
    # WeasyPrint lowercases the names of custom <meta> tags: the metadata keys of Phụ lục VI
    # are set with their own spelling in the update that adds the form fields.
    info = metadata.render_info(parts)
    if parts.draft:
        stream.write(fields.add_fields(pdf, info=info))
        return
    blanks = {slots.NUMBER: parts.notation, slots.DATE: parts.date_after_ngay}
    widths = slots.reserved_widths(parts.notation_suffix)
    stream.write(fields.add_fields(pdf, info=info, blanks=blanks, widths=widths))
