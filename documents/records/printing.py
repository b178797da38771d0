"""Printed copies carry the system's mark (Phụ lục VI, 6i–k): who printed, when, from Văn thư.

A printed copy is a new PDF made from the file the person may read (the signed original, a
draft's preview, or an incoming document's PDF), checked exactly as its download is, with one
discreet line stamped at the foot of every page. The stored file is never modified. The
copy's form fields and signature widgets are drawn into its pages (the number, date and
visible signatures print as they look) and removed: a print is not the signed original, and
its mark says so."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject

from .. import audit, trail, transactions
from ..models import Attachment, Document, Event, Rendition
from ..people import display_name
from ..rendering.fonts import FAMILY_CSS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PDF_TYPE = "application/pdf"
_HIDDEN = 2  # annotation flag: not displayed, not printed


class NothingToPrint(Exception):
    """The document has no PDF to print (an incoming document registered without a file)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("Văn bản chưa có tệp để in."))


def mark_text(user: User, at: dt.datetime | None = None) -> str:
    """'In từ hệ thống Văn thư — Nguyễn Văn A — 14:05 30/11/2026': one line for a page's foot."""
    at = timezone.localtime(at or timezone.now())
    return _("In từ hệ thống Văn thư — %(name)s — %(time)s") % {
        "name": display_name(user),
        "time": at.strftime("%H:%M %d/%m/%Y"),
    }


def printed_copy(*, document: Document, actor: User) -> bytes:
    """The document's PDF as the person may read it, marked on every page as printed by them
    from Văn thư; a print of a confidential document is recorded on its trail (PRINTED).
    Raises PermissionDenied (not visible to them), trail.OriginalAltered (its file is not the
    one recorded; nothing is printed) or NothingToPrint."""
    from ..selectors import document_list_visible_to

    if not document_list_visible_to(actor).filter(pk=document.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền xem văn bản này."))
    # Outside a transaction: an altered file's finding is recorded by the check and must
    # stay when the refusal is raised.
    source = source_pdf(document)
    try:
        copy = stamp(source, mark_text(actor))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        # A received file pypdf cannot read or rewrite (encrypted, broken): no copy, and said
        # so, rather than a server error.
        raise NothingToPrint(
            _("Không tạo được bản in: tệp PDF của văn bản bị mã hóa hoặc không đọc được.")
        ) from error
    _record_print(document=document, actor=actor)
    return copy


@transactions.service
def _record_print(*, document: Document, actor: User) -> None:
    """Phụ lục VI 6l keeps the history of use; the trail keeps it for confidential documents
    only, as it does their reads (documents.confidential): the decree asks that their prints be
    known, and recording every print of an ordinary document would flood the trail."""
    if document.is_confidential:
        audit.record(document=document, actor=actor, kind=Event.Kind.PRINTED, data={"copy": "pdf"})


def source_pdf(document: Document) -> bytes:
    """What the document's PDF download serves: the signed original (checked against the
    trail), else, for our own document, its current rendering (a draft's carries DỰ THẢO);
    for an incoming or reference document, its first PDF attachment (checked)."""
    if document.origin != Document.Origin.OUTGOING:
        return _first_pdf_attachment(document)
    renditions = {r.kind: r for r in document.renditions.all()}
    original = renditions.get(Rendition.Kind.ISSUED) or renditions.get(Rendition.Kind.SIGNED_OFF)
    if original is not None:
        return trail.read_original(original)
    from ..rendering import render_pdf

    buffer = io.BytesIO()
    render_pdf(document, buffer)
    return buffer.getvalue()


def _first_pdf_attachment(document: Document) -> bytes:
    attachments = Attachment.objects.filter(document=document).order_by("pk")
    for attachment in attachments:
        if attachment.content_type == PDF_TYPE or attachment.original_name.lower().endswith(".pdf"):
            trail.ensure_attachment_intact(attachment)
            with attachment.file.open("rb") as handle:
                content = handle.read()
            if hashlib.sha256(content).hexdigest() != attachment.sha256:
                trail.ensure_attachment_intact(attachment)  # changed since: records, raises
                raise trail.OriginalAltered(attachment.file.name, None)
            return content
    raise NothingToPrint


def stamp(pdf: bytes, text: str) -> bytes:
    """A new PDF: every page of ``pdf`` with its fields drawn in and ``text`` at its foot."""
    reader = PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted and not reader.decrypt(""):
        raise PdfReadError("encrypted with a password")
    if len(reader.pages) == 0:
        raise PdfReadError("no page")
    writer = PdfWriter(clone_from=reader)
    for number, page in enumerate(writer.pages):
        if page.get("/Rotate"):
            page.transfer_rotation_to_content()
        _flatten_widgets(writer, page, prefix=f"/VtPrint{number}x")
        box = page.cropbox
        overlay = _overlay(text, round(float(box.width), 2), round(float(box.height), 2))
        page.merge_transformed_page(
            overlay, Transformation().translate(float(box.left), float(box.bottom))
        )
    if "/AcroForm" in writer.root_object:
        del writer.root_object[NameObject("/AcroForm")]
    writer.add_metadata({"/Producer": "Văn thư (bản in)"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _overlay(text: str, width: float, height: float) -> Any:
    return PdfReader(io.BytesIO(_overlay_pdf(text, width, height))).pages[0]


@functools.lru_cache(maxsize=8)
def _overlay_pdf(text: str, width: float, height: float) -> bytes:
    """One transparent page of the given size with the line at its foot (WeasyPrint)."""
    from weasyprint import HTML  # heavy import (Pango), only when a copy is printed

    html = (
        "<html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width}pt {height}pt; margin: 0 }}"
        f"body {{ margin: 0; font-family: {FAMILY_CSS} }}"
        ".mark { position: absolute; left: 0; right: 0; bottom: 3.5mm; text-align: center;"
        " font-size: 7.5pt; color: #555 }"
        f"</style></head><body><div class='mark'>{escape(text)}</div></body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


def _flatten_widgets(writer: PdfWriter, page: Any, *, prefix: str) -> None:
    """Draw each form field's and signature's appearance into the page, then drop them. The
    names are unique in the file: pages may share one /Resources dictionary."""
    annotations = page.get("/Annots")
    if not annotations:
        return
    resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
    drawn: list[str] = []
    kept = ArrayObject()
    for index, reference in enumerate(annotations.get_object()):
        annotation = reference.get_object()
        if annotation.get("/Subtype") != "/Widget":
            kept.append(reference)
            continue
        appearance = _normal_appearance(annotation)
        if appearance is None:
            continue
        name = f"{prefix}{index}"
        xobjects[NameObject(name)] = appearance.indirect_reference or writer._add_object(appearance)
        drawn.append(_placement(annotation, appearance, name))
    if kept:
        page[NameObject("/Annots")] = kept
    else:
        del page[NameObject("/Annots")]
    if drawn:
        # The page's own content is isolated (q … Q) so its graphics state cannot move ours.
        content = page.get_contents()
        before = content.get_data() if content is not None else b""
        stream = ContentStream(None, writer)
        stream.set_data(b"q\n" + before + b"\nQ\n" + "\n".join(drawn).encode("ascii"))
        page.replace_contents(stream)


def _normal_appearance(annotation: Any) -> Any:
    """The widget's normal appearance stream if it is displayed and has an area, else None."""
    if int(annotation.get("/F", 0)) & _HIDDEN or "/AP" not in annotation:
        return None
    appearance = annotation["/AP"].get_object().get("/N")
    if appearance is None:
        return None
    appearance = appearance.get_object()
    if "/BBox" not in appearance:  # a dictionary of states (check boxes): the current one
        state = annotation.get("/AS")
        appearance = appearance[state].get_object() if state in appearance else None
        if appearance is None or "/BBox" not in appearance:
            return None
    x1, y1, x2, y2 = _box(annotation["/Rect"])
    bx1, by1, bx2, by2 = _box(appearance["/BBox"])
    if x2 - x1 <= 0 or y2 - y1 <= 0 or bx2 - bx1 <= 0 or by2 - by1 <= 0:
        return None  # an invisible signature
    return appearance


def _box(values: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in values)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _placement(annotation: Any, appearance: Any, name: str) -> str:
    """'q a 0 0 d e f cm /Name Do Q': the appearance's box mapped onto the widget's rectangle
    (ISO 32000 12.5.5, with the identity /Matrix the fields here are drawn with)."""
    x1, y1, x2, y2 = _box(annotation["/Rect"])
    bx1, by1, bx2, by2 = _box(appearance["/BBox"])
    sx, sy = (x2 - x1) / (bx2 - bx1), (y2 - y1) / (by2 - by1)
    return f"q {sx:.6f} 0 0 {sy:.6f} {x1 - bx1 * sx:.4f} {y1 - by1 * sy:.4f} cm {name} Do Q"
