"""Rendering of documents in the Decree 30 layout: pure functions that write to a stream."""

from .parts import DocumentParts, document_parts
from .pdf import render_pdf
from .word import render_docx

__all__ = ["DocumentParts", "document_parts", "render_docx", "render_pdf"]
