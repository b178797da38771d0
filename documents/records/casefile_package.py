"""A closed case file as files: its table of contents (mục lục văn bản) and cover (bìa hồ
sơ) as PDFs, and the package handed over to the archive (nộp lưu, Điều 30; Phụ lục VI I.4g):
each document's files, the two PDFs, and ``ho-so.xml`` with the metadata of Phụ lục VI part
II (names as the decree spells them), checked against the shipped ``schema/ho-so.xsd``.

Every stored file is read through the trail's checks (documents.trail): an altered original
or attachment is never put in a package."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from .. import confidential, trail
from ..models import CaseFile, Document, Rendition
from ..people import display_name
from ..selectors import document_list_visible_to
from ..text import xml_safe
from . import casefiles
from .printing import mark_text

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import User

    from ..models import Attachment, CaseFileEntry

NAMESPACE = "urn:vanthu:hoso:1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "ho-so.xsd"
XML_NAME = "ho-so.xml"
TOC_TEMPLATE = "approvals/records/casefile_toc_pdf.html"
COVER_TEMPLATE = "approvals/records/casefile_cover_pdf.html"
# Phụ lục VI part II, "Mức độ khẩn, độ mật": a number.
PRIORITY = {"": 0, "khan": 1, "thuong_khan": 2, "hoa_toc": 3}
SECRECY = {"": 0, "mat": 1, "toi_mat": 2, "tuyet_mat": 3}


class PackageError(Exception):
    """The package cannot be made (a stored file altered or missing, an invalid XML)."""


@dataclass
class StoredFile:
    name: str
    content: bytes | None  # None: altered or missing (never served)
    sha256: str
    pages: int | None


@dataclass
class Item:
    """One document of the case file, as the table of contents and the package show it."""

    ordinal: int
    document: Document
    date: dt.date
    author: str
    subject: str  # MASKED for a reader who may not open the document
    files: list[StoredFile] = field(default_factory=list)
    first_page: int | None = None
    masked: bool = False  # the reader may not open it: no number, date, author or subject

    @property
    def pages(self) -> int | None:
        counts = [f.pages for f in self.files if f.pages is not None]
        return sum(counts) if counts else None

    @property
    def intact(self) -> bool:
        return all(f.content is not None for f in self.files)


def ascii_stem(text: str) -> str:
    """'05-KH-STTTT' from '05/KH-STTTT'; ASCII only, for names inside the ZIP."""
    text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return re.sub(r"[^A-Za-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")


def _page_count(content: bytes | None) -> int | None:
    if content is None or not content.startswith(b"%PDF"):
        return None
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(content)).pages)
    except (PyPdfError, ValueError, OSError):
        return None


def _original_of(document: Document) -> Rendition | None:
    renditions = {r.kind: r for r in document.renditions.all()}
    return renditions.get(Rendition.Kind.ISSUED) or renditions.get(Rendition.Kind.SIGNED_OFF)


def _read_attachment(attachment: Attachment) -> bytes | None:
    try:
        trail.ensure_attachment_intact(attachment)
        with attachment.file.open("rb") as handle:
            return handle.read()
    except (trail.OriginalAltered, OSError):
        return None


def stored_files(document: Document, ordinal: int) -> list[StoredFile]:
    """An outgoing document's signed original; an incoming or reference one's attachments."""
    stem = f"{ordinal:03d}-{ascii_stem(document.notation or f'van-ban-{document.pk}')}"
    found: list[StoredFile] = []
    if document.origin == Document.Origin.OUTGOING:
        original = _original_of(document)
        if original is not None:
            try:
                content: bytes | None = trail.read_original(original)
            except trail.OriginalAltered:
                content = None
            found.append(StoredFile(f"{stem}.pdf", content, original.sha256, _page_count(content)))
        return found
    for number, attachment in enumerate(document.attachments.order_by("pk"), start=1):
        content = _read_attachment(attachment)
        suffix = Path(attachment.original_name).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ".bin"
        name = f"{stem}-{number}{suffix}"
        found.append(StoredFile(name, content, attachment.sha256, _page_count(content)))
    return found


def author_of(document: Document) -> str:
    """The issuing agency (tác giả): ours, or the sender of an incoming document."""
    if document.origin == Document.Origin.INCOMING:
        incoming = getattr(document, "incoming", None)
        if incoming is not None:
            return incoming.sender_name
    if document.origin == Document.Origin.OUTGOING:
        return document.names().issuer_name
    return document.organization.name


def masked_text() -> str:
    """What a row shows in place of a document the reader may not open."""
    return _("Văn bản không thuộc phạm vi xem của bạn")


def readable_ids(entries: list[CaseFileEntry], reader: User) -> set[int]:
    """The ids of the entries' documents the reader may open (one query)."""
    return set(
        document_list_visible_to(reader)
        .filter(pk__in=[e.document_id for e in entries])
        .values_list("pk", flat=True)
    )


def collect(case_file: CaseFile, reader: User | None) -> list[Item]:
    """The case file's documents with their files and pages (tờ số), in order; a document the
    reader may not open is masked (no number, date, author, subject), confidential or not
    (reader None: the archive's package, in full)."""
    entries: list[CaseFileEntry] = casefiles.entries_of(case_file)
    visible = readable_ids(entries, reader) if reader is not None else None
    items, next_page = [], 1
    for ordinal, entry in enumerate(entries, start=1):
        document = entry.document
        masked = visible is not None and document.pk not in visible
        item = Item(
            ordinal=ordinal,
            document=document,
            date=casefiles.document_date(document),
            author="" if masked else author_of(document),
            subject=masked_text() if masked else document.subject,
            files=stored_files(document, ordinal),
            masked=masked,
        )
        if item.pages:
            item.first_page, next_page = next_page, next_page + item.pages
        items.append(item)
    return items


def case_file_code(case_file: CaseFile) -> str:
    """Mã hồ sơ (Phụ lục VI II.III.1): agency id, year, số và ký hiệu hồ sơ."""
    return f"{case_file.organization.abbreviation}.{case_file.year}.{case_file.code}"


def maintenance(case_file: CaseFile) -> str:
    if case_file.retention_years is None:
        return _("Vĩnh viễn")
    return _("%(n)s năm") % {"n": case_file.retention_years}


def _render(template: str, context: dict, mark: str) -> bytes:
    from weasyprint import HTML  # heavy import (Pango), only when a PDF is made

    with translation.override("vi"):
        html = render_to_string(template, {**context, "mark": mark})
    return HTML(string=html).write_pdf()


def _mark(user: User | None) -> str:
    if user is None:
        at = timezone.localtime().strftime("%H:%M %d/%m/%Y")
        return _("Kết xuất từ hệ thống Văn thư — %(time)s") % {"time": at}
    return mark_text(user)


def summary(case_file: CaseFile, items: list[Item]) -> dict:
    """The cover's and the XML's totals: dates of the first and last document, pages."""
    dates = sorted(item.date for item in items)
    return {
        "case_file": case_file,
        "file_code": case_file_code(case_file),
        "items": items,
        "start": dates[0] if dates else None,
        "end": dates[-1] if dates else None,
        "documents": len(items),
        "pages": sum(item.pages or 0 for item in items),
        "maintenance": maintenance(case_file),
        "responsible": display_name(case_file.responsible),
    }


def toc_pdf(case_file: CaseFile, user: User | None, items: list[Item] | None = None) -> bytes:
    """Mục lục văn bản: STT, số ký hiệu, ngày tháng, tác giả, trích yếu, tờ số, số trang."""
    items = collect(case_file, user) if items is None else items
    return _render(TOC_TEMPLATE, summary(case_file, items), _mark(user))


def cover_pdf(case_file: CaseFile, user: User | None, items: list[Item] | None = None) -> bytes:
    """Bìa hồ sơ: agency, mã hồ sơ, tiêu đề, from/to dates, counts, thời hạn bảo quản."""
    items = collect(case_file, user) if items is None else items
    return _render(COVER_TEMPLATE, summary(case_file, items), _mark(user))


# --- ho-so.xml -------------------------------------------------------------------------------


def _add(
    parent: etree._Element, name: str, value: object, limit: int | None = None
) -> etree._Element:
    """A child element holding the value as XML-safe text, cut to ``limit`` characters (the
    decree's length, for a text our models allow longer)."""
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    text = "" if value is None else xml_safe(str(value))
    element.text = text[:limit].rstrip() if limit is not None and len(text) > limit else text
    return element


def _code_parts(document: Document) -> tuple[str, str]:
    """CodeNumber and CodeNotation from '05/KH-STTTT'."""
    notation = document.notation or ""
    number, _sep, rest = notation.partition("/")
    if document.number is not None:
        return str(document.number), rest if rest else notation
    if rest and number.strip().isdigit():
        return number.strip(), rest
    return "", notation


def _document_element(parent: etree._Element, item: Item) -> None:
    document = item.document
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}Document")
    _add(element, "DocOrdinal", item.ordinal)
    _add(element, "Origin", document.origin)
    _add(element, "TypeName", document.type_name or document.document_type.name, 100)
    number, notation = _code_parts(document)
    _add(element, "CodeNumber", number, 11)
    _add(element, "CodeNotation", notation, 30)
    _add(element, "IssuedDate", item.date.isoformat())
    incoming = getattr(document, "incoming", None) if document.origin == "incoming" else None
    if incoming is not None:  # the sender's id when it is in the directory
        organ_id = incoming.sender_unit.abbreviation if incoming.sender_unit_id else ""
    else:
        organ_id = document.organization.abbreviation
    _add(element, "OrganId", organ_id, 13)
    _add(element, "OrganName", item.author, 200)
    _add(element, "Subject", document.subject)
    _add(element, "Language", "vi")
    _add(element, "PageAmount", item.pages or 0)
    if incoming is not None and xml_safe(incoming.notes).strip():
        _add(element, "Description", incoming.notes.strip(), 500)
    if incoming is not None:
        _add(element, "ArrivalDate", timezone.localdate(incoming.arrival_at).isoformat())
        _add(element, "ArrivalNumber", incoming.arrival_number)
    signer = etree.SubElement(element, f"{{{NAMESPACE}}}SignerInfo")
    _add(signer, "Position", document.signer_title, 100)
    _add(signer, "FullName", document.signer_name, 50)
    _add(element, "Priority", PRIORITY.get(document.urgency, 0))
    _add(element, "Confidentiality", SECRECY.get(document.confidentiality, 0))
    files = etree.SubElement(element, f"{{{NAMESPACE}}}Files")
    for stored in item.files:
        file_element = etree.SubElement(files, f"{{{NAMESPACE}}}File")
        _add(file_element, "FileName", stored.name)
        _add(file_element, "Sha256", stored.sha256)
        _add(file_element, "PageAmount", stored.pages or 0)


def package_xml(case_file: CaseFile, items: list[Item]) -> bytes:
    """ho-so.xml: the case file's metadata (Phụ lục VI II.III) and one Document per item."""
    facts = summary(case_file, items)
    root = etree.Element(f"{{{NAMESPACE}}}HoSo", nsmap={None: NAMESPACE})
    code = etree.SubElement(root, f"{{{NAMESPACE}}}FileCode")
    _add(code, "OrganId", case_file.organization.abbreviation, 13)
    _add(code, "FileCatalog", case_file.year)
    _add(code, "FileNotation", case_file.code, 20)
    _add(root, "OrganName", case_file.organization.name, 200)
    _add(root, "Title", case_file.title)
    _add(root, "Maintenance", facts["maintenance"])
    secret = any(confidential.is_confidential(item.document) for item in items)
    _add(root, "Rights", _("Hạn chế") if secret else _("Công khai"))
    _add(root, "Creator", facts["responsible"], 30)
    _add(root, "Language", "vi")
    _add(root, "StartDate", facts["start"].isoformat() if facts["start"] else None)
    _add(root, "EndDate", facts["end"].isoformat() if facts["end"] else None)
    _add(root, "DocTotal", facts["documents"])
    _add(root, "PageTotal", facts["pages"])
    _add(root, "Description", case_file.notes, 500)
    documents = etree.SubElement(root, f"{{{NAMESPACE}}}Documents")
    for item in items:
        _document_element(documents, item)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate_xml(content: bytes) -> None:
    """Raise PackageError unless the XML is well formed and valid against ho-so.xsd."""
    try:
        document = etree.fromstring(content)
    except etree.XMLSyntaxError as error:
        raise PackageError(_("Tệp ho-so.xml không đúng cú pháp: %(e)s") % {"e": error}) from error
    checker = schema()
    if not checker.validate(document):
        first = checker.error_log.last_error
        raise PackageError(_("Tệp ho-so.xml không hợp lệ theo ho-so.xsd: %(e)s") % {"e": first})


# --- the ZIP ---------------------------------------------------------------------------------


def build_package(case_file: CaseFile, user: User | None) -> bytes:
    """The ZIP of a closed case file: its documents' files, cover and table of contents, and
    the validated ho-so.xml; PackageError if a file is altered or the XML invalid."""
    if case_file.status == CaseFile.Status.OPEN:
        raise PackageError(_("Hồ sơ chưa kết thúc, chưa thể kết xuất."))
    items = collect(case_file, None)
    altered = [item.document for item in items if not item.intact]
    if altered:
        names = ", ".join(d.notation or str(d.pk) for d in altered)
        raise PackageError(
            _("Tệp của văn bản %(names)s bị thay đổi hoặc bị mất.") % {"names": names}
        )
    content = _zip(case_file, user, items)
    with transaction.atomic():  # only once everything is built: a failure records nothing
        if user is not None:
            for item in items:
                confidential.record_read(
                    item.document, user, confidential.READ_PDF, via="case_file_package"
                )
        casefiles.record_export(
            case_file=case_file,
            actor=user,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )
    return content


def _zip(case_file: CaseFile, user: User | None, items: list[Item]) -> bytes:
    """The package's bytes: ho-so.xml (validated), the cover, the table of contents and the
    documents' files; PackageError if the XML cannot be made or is invalid."""
    try:
        xml = package_xml(case_file, items)
    except ValueError as error:  # lxml: a text XML cannot hold (xml_safe should prevent it)
        raise PackageError(_("Không tạo được tệp ho-so.xml: %(e)s") % {"e": error}) from error
    validate_xml(xml)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(XML_NAME, xml)
        archive.writestr("bia-ho-so.pdf", cover_pdf(case_file, user, items))
        archive.writestr("muc-luc-van-ban.pdf", toc_pdf(case_file, user, items))
        for item in items:
            for stored in item.files:
                archive.writestr(f"van-ban/{stored.name}", stored.content or b"")
    return buffer.getvalue()


def package_name(case_file: CaseFile) -> str:
    return f"ho-so-{ascii_stem(case_file_code(case_file))}.zip"
