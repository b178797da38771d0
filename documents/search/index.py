"""A document's searchable text (SearchEntry): its metadata, body, recipients, tasks and the
text of its PDF and DOCX files, normalised (documents.search.text), written in one upsert.

The entry is `` <head> | <rest> ``: the head holds the type, số ký hiệu and trích yếu (the
search ranks a phrase found there first), the rest everything else. Reading what hangs from
the document is one query (a UNION of its recipient lines, tasks, files, type and sender)."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import TYPE_CHECKING

from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from .text import normalise, stored

if TYPE_CHECKING:
    from ..models import Document

logger = logging.getLogger(__name__)

HEAD_SEPARATOR = "|"  # never produced by normalise: marks the end of the head
FILE_TEXT_CAP = 200_000  # characters of one file's text
TOTAL_TEXT_CAP = 1_000_000  # characters of all the files' text

RECIPIENT, TASK, FILE, TYPE, SENDER = "r", "t", "f", "y", "s"


def _related(document: Document) -> list[tuple[str, str]]:
    """(kind, value) rows: recipient lines, tasks, stored file names, type name, sender."""
    from ..models import Assignment, Attachment, DocumentType, IncomingRecord, RecipientLine

    def kind(code: str) -> Value:
        return Value(code, output_field=CharField())

    def rows(queryset, column: str, code: str):
        return queryset.order_by().annotate(kind=kind(code)).values_list(column, "kind")

    pk = document.pk
    query = rows(RecipientLine.objects.filter(document_id=pk), "text", RECIPIENT).union(
        rows(Assignment.objects.filter(plan_id=pk), "task", TASK),
        rows(Attachment.objects.filter(document_id=pk), "file", FILE),
        rows(DocumentType.objects.filter(pk=document.document_type_id), "name", TYPE),
        rows(IncomingRecord.objects.filter(document_id=pk), "sender_name", SENDER),
        all=True,
    )
    return [(code, value or "") for value, code in query]


def entry_text(document: Document) -> str:
    """The entry's text for the document as it is in the database now."""
    related = _related(document)

    def of(code: str) -> list[str]:
        return [value for kind, value in related if kind == code]

    type_name = document.type_name or next(iter(of(TYPE)), "")
    head = stored([type_name, document.notation, document.subject])
    rest = stored(
        [
            document.body,
            document.signer_name,
            document.signer_title,
            document.issuer_name,
            *of(SENDER),
            *of(RECIPIENT),
            *of(TASK),
            files_text(of(FILE)),
        ]
    )
    return f"{head}{HEAD_SEPARATOR}{rest}"


def write_entry(document: Document) -> None:
    """Write (insert or replace) the document's entry: one statement after one read."""
    from ..models import SearchEntry

    SearchEntry.objects.bulk_create(
        [SearchEntry(document_id=document.pk, text=entry_text(document))],
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["text", "updated_at"],
    )


def write_registration(document: Document) -> None:
    """At issuance the số ký hiệu, type and issuer join the head of the entry (one UPDATE);
    a document without an entry yet gets its whole entry."""
    from ..models import SearchEntry

    head = stored([document.type_name, document.notation, document.issuer_name]).rstrip()
    updated = SearchEntry.objects.filter(document_id=document.pk).update(
        text=Concat(Value(head), F("text"), output_field=CharField()),
        updated_at=timezone.now(),
    )
    if not updated:
        write_entry(document)


# --- the files' text ------------------------------------------------------------------------


def files_text(names: list[str]) -> str:
    """The text of the stored files (PDF, DOCX), each capped, all together capped."""
    from django.core.files.storage import default_storage

    texts: list[str] = []
    total = 0
    for name in names:
        if total >= TOTAL_TEXT_CAP:
            break
        try:
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
        except OSError:
            logger.warning("search: attachment %s could not be read", name)
            continue
        text = extract_text(data, name=name)[: min(FILE_TEXT_CAP, TOTAL_TEXT_CAP - total)]
        total += len(text)
        texts.append(text)
    return " ".join(texts)


def extract_text(data: bytes, *, name: str = "") -> str:
    """A PDF's or DOCX's text (by content); other files, or a failure: "" (logged)."""
    try:
        if data.startswith(b"%PDF"):
            return _pdf_text(data)
        if data.startswith(b"PK") and _is_docx(data):
            return _docx_text(data)
    except Exception:  # noqa: BLE001 — a damaged file must not stop the document's change
        logger.warning("search: no text extracted from %s", name or "a file", exc_info=True)
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts: list[str] = []
    size = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        texts.append(text)
        size += len(text)
        if size >= FILE_TEXT_CAP:
            break
    return "\n".join(texts)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _docx_text(data: bytes) -> str:
    import docx

    word = docx.Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


__all__ = ["entry_text", "extract_text", "normalise", "write_entry", "write_registration"]
