"""Form fields of a signed-off PDF: the number and the date that the văn thư fills at
issuance, and the places of the signer's and the agency's digital signatures.

Filling a form field after an approval signature is a permitted change (ISO 32000 form
filling), so the signer's signature stays valid when the number and date are written; the
page content the signer signed is never touched.

Each text field follows the words printed before it and holds the rest of its line,
left-aligned (Q 0): "Số: " + "01/KH-STTTT", "Bình Phước, ngày " + "05 tháng 01 năm 2020"
(see slots). At sign-off the fields hold the decree's blank form, "…/KH-STTTT" and
"… tháng … năm 2020" with the year of sign-off, which is what the signer sees; issuance
writes the whole value again, so a document signed off on 31 December is issued in January
with the new year. A field's appearance is exactly its value, set in the field's font, so a
viewer that redraws it from /V, /DA and /Q shows the same thing.

Reading the values back: a field's text is an annotation's appearance, not page content, so
pypdf's page.extract_text() does not return it (poppler's pdftotext, which draws
annotations, does). pypdf reads it as the field's value (PdfReader.get_fields()), as the
appearance's text (page.extract_xform_text on the widget's /AP /N) and in the document
information dictionary (metadata: CodeNumber, CodeNotation, IssuedDate). Putting it into
the page content instead would change what the signer signed, which their signature
forbids."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field

from . import slots
from .fonts import SerifFontFactory
from .parts import issued_date_after_ngay

FONT_REGULAR = "VTSerif"
FONT_ITALIC = "VTSerifItalic"
READ_ONLY = 1
PRINT = 4
DESCENT = 3.5  # pt below the baseline kept inside a field's rectangle
LEFT = 0  # /Q: the text starts where the field starts, right after "Số: " or "ngày "
# (slot, size in pt, italic): "Số" is 13 pt upright, the date 14 pt italic (Phụ lục I).
TEXT_FIELDS = (
    (slots.NUMBER, slots.NUMBER_SIZE, False),
    (slots.DATE, slots.DATE_SIZE, True),
)
# What a viewer that redraws a field needs from the fonts in /DR.
FIELD_GLYPHS = "0123456789/-… tháng năm ABCDEFGHIJKLMNOPQRSTUVWXYZĐ"
_DA = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")


def _numbers(*values: float) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(value) for value in values)


def _engine(writer: BasePdfFileWriter, *, italic: bool, size: float) -> GlyphAccumulator:
    return SerifFontFactory(font_size=size, italic=italic).create_font_engine(writer)


def _text_field(
    writer: IncrementalPdfFileWriter,
    point: slots.Point,
    name: str,
    *,
    size: float,
    italic: bool,
    width: float,
) -> generic.IndirectObject:
    page_ref = writer.find_page_for_modification(point.page)[0]
    height = size + DESCENT
    empty = generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
            generic.pdf_name("/BBox"): _numbers(0, 0, width, height),
        },
        stream_data=b"",
    )
    font = FONT_ITALIC if italic else FONT_REGULAR
    field = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Widget"),
            generic.pdf_name("/FT"): generic.pdf_name("/Tx"),
            generic.pdf_name("/T"): generic.pdf_string(name),
            generic.pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
            generic.pdf_name("/F"): generic.NumberObject(PRINT),
            generic.pdf_name("/Q"): generic.NumberObject(LEFT),
            generic.pdf_name("/DA"): generic.pdf_string(f"/{font} {size:g} Tf 0 g"),
            generic.pdf_name("/P"): page_ref,
            generic.pdf_name("/Rect"): _numbers(
                point.x, point.y - DESCENT, point.x + width, point.y + size
            ),
            generic.pdf_name("/AP"): generic.DictionaryObject(
                {generic.pdf_name("/N"): writer.add_object(empty)}
            ),
        }
    )
    ref = writer.add_object(field)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[generic.pdf_name("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    writer.update_container(page)
    return ref


def _add_text_fields(
    writer: IncrementalPdfFileWriter,
    points: dict[str, slots.Point],
    widths: Mapping[str, float],
) -> None:
    acroform = writer.root["/AcroForm"]
    resources = generic.DictionaryObject()
    for name, italic in ((FONT_REGULAR, False), (FONT_ITALIC, True)):
        engine = _engine(writer, italic=italic, size=slots.DATE_SIZE)
        engine.shape(FIELD_GLYPHS)
        resources[generic.pdf_name(f"/{name}")] = engine.as_resource()
    acroform[generic.pdf_name("/DR")] = generic.DictionaryObject(
        {generic.pdf_name("/Font"): resources}
    )
    fields = acroform["/Fields"]
    for name, size, italic in TEXT_FIELDS:
        width = widths[name] + slots.FIELD_SLACK
        field = _text_field(writer, points[name], name, size=size, italic=italic, width=width)
        fields.append(field)
    writer.update_container(acroform)


def add_fields(
    pdf_bytes: bytes,
    *,
    info: Mapping[str, str],
    blanks: Mapping[str, str] | None = None,
    widths: Mapping[str, float] | None = None,
) -> bytes:
    """Set the document information entries `info`; given `blanks`, turn the places left in
    a rendered PDF into form fields: text fields for the number and the date, holding their
    blank forms (when not numbered yet), each `widths` wide plus room for longer numbers,
    and signature fields for the signer and the agency."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    update_info(writer, info)
    points = slots.slots_of(writer.prev)
    if blanks is None or slots.SIGNATURE not in points:
        return _written(writer)
    for box, name in zip(
        slots.signature_boxes(points[slots.SIGNATURE]),
        (slots.SIGNATURE, slots.AGENCY_SIGNATURE),
        strict=True,
    ):
        # arg-type: pyHanko annotates box as ints, yet writes each coordinate as a FloatObject;
        # these boxes fall on fractions of a point.
        corners = (box.x1, box.y1, box.x2, box.y2)
        spec = SigFieldSpec(name, on_page=box.page, box=corners)  # type: ignore[arg-type]
        append_signature_field(writer, spec)
    if slots.NUMBER in points:
        _add_text_fields(writer, points, widths or {})
        fill_fields(writer, blanks)
    return _written(writer)


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def issue_values(pdf_bytes: bytes, *, notation: str, issued_on: dt.date) -> dict[str, str]:
    """The number and notation ('05/KH-STTTT') and the whole date of issue ('16 tháng 4 năm
    2020'), to write into the signed PDF's fields."""
    points = slots.read_slots(pdf_bytes)
    missing = {slots.NUMBER, slots.DATE} - set(points)
    if missing:
        raise ValueError(f"the PDF has no blank for {sorted(missing)}: it is numbered already")
    return {slots.NUMBER: notation, slots.DATE: issued_date_after_ngay(issued_on)}


def _field_appearance(
    writer: BasePdfFileWriter, field: generic.DictionaryObject, text: str
) -> generic.StreamObject:
    appearance = _DA.search(str(field["/DA"]))
    if appearance is None:
        raise ValueError(f"text field {field.get('/T')} names no font in /DA")
    font, size = appearance.groups()
    engine = _engine(writer, italic=font == FONT_ITALIC, size=float(size))
    shaped = engine.shape(text)
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    content = b"/Tx BMC q BT /F1 %s Tf 0 g 0 %.2f Td %s ET Q EMC" % (
        size.encode(),
        DESCENT,
        shaped.graphics_ops,
    )
    return generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
            generic.pdf_name("/BBox"): _numbers(0, 0, x2 - x1, y2 - y1),
            generic.pdf_name("/Resources"): generic.DictionaryObject(
                {
                    generic.pdf_name("/Font"): generic.DictionaryObject(
                        {generic.pdf_name("/F1"): engine.as_resource()}
                    )
                }
            ),
        },
        stream_data=content,
    )


def fill_fields(writer: IncrementalPdfFileWriter, values: Mapping[str, str]) -> None:
    """Write values into text fields, with appearances in the document's embedded serif."""
    remaining = dict(values)
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        if name not in remaining or field.get("/FT") != "/Tx":
            continue
        text = remaining.pop(name)
        field[generic.pdf_name("/V")] = generic.pdf_string(text)
        appearance = writer.add_object(_field_appearance(writer, field, text))
        field[generic.pdf_name("/AP")] = generic.DictionaryObject(
            {generic.pdf_name("/N"): appearance}
        )
        writer.update_container(field)
    if remaining:
        raise ValueError(f"no text field named {sorted(remaining)}")


def update_info(writer: IncrementalPdfFileWriter, values: Mapping[str, str]) -> None:
    """Set entries of the document information dictionary (/Info) in this revision."""
    info_ref = writer.trailer.raw_get("/Info")
    if not isinstance(info_ref, generic.IndirectObject):
        raise ValueError("the PDF has no indirect /Info dictionary to update")
    info = info_ref.get_object()
    for key, value in values.items():
        info[generic.pdf_name(f"/{key}")] = generic.pdf_string(value)
    writer.mark_update(info_ref)
