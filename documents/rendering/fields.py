"""Form fields of a signed-off PDF: blanks for the number and date that the văn thư fills at
issuance, and the places of the signer's and the agency's digital signatures.

The year is a field too, filled at sign-off with the year of sign-off (what the signer sees)
and written again at issuance, so a document signed off on 31 December can be issued in
January with the new year and the number from the new year's register book.

Filling a form field after an approval signature is a permitted change (ISO 32000 form
filling), so the signer's signature stays valid when the number and date are written."""

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

from ..dates import vn_day, vn_month
from ..numbering import format_number
from . import slots
from .fonts import SerifFontFactory

FONT_REGULAR = "VTSerif"
FONT_ITALIC = "VTSerifItalic"
READ_ONLY = 1
PRINT = 4
DESCENT = 3.5  # pt below the baseline kept inside a field's rectangle
# (slot, size in pt, italic): "Số" is 13 pt upright, the date 14 pt italic (Phụ lục I).
TEXT_FIELDS = (
    (slots.NUMBER, slots.NUMBER_SIZE, False),
    (slots.DAY, slots.DATE_SIZE, True),
    (slots.MONTH, slots.DATE_SIZE, True),
    (slots.YEAR, slots.DATE_SIZE, True),
)
_DA = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")


def _numbers(*values: float) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(value) for value in values)


def _engine(writer: BasePdfFileWriter, *, italic: bool, size: float) -> GlyphAccumulator:
    return SerifFontFactory(font_size=size, italic=italic).create_font_engine(writer)


def _text_field(
    writer: IncrementalPdfFileWriter, point: slots.Point, name: str, size: float, italic: bool
) -> generic.IndirectObject:
    page_ref = writer.find_page_for_modification(point.page)[0]
    width = slots.WIDTHS[
        {slots.NUMBER: "number", slots.DAY: "day", slots.MONTH: "month", slots.YEAR: "year"}[name]
    ]
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
            generic.pdf_name("/Q"): generic.NumberObject(1),
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


def _add_text_fields(writer: IncrementalPdfFileWriter, points: dict[str, slots.Point]) -> None:
    acroform = writer.root["/AcroForm"]
    resources = generic.DictionaryObject()
    for name, italic in ((FONT_REGULAR, False), (FONT_ITALIC, True)):
        engine = _engine(writer, italic=italic, size=slots.DATE_SIZE)
        engine.shape("0123456789")  # a viewer that redraws the field needs the digits
        resources[generic.pdf_name(f"/{name}")] = engine.as_resource()
    acroform[generic.pdf_name("/DR")] = generic.DictionaryObject(
        {generic.pdf_name("/Font"): resources}
    )
    fields = acroform["/Fields"]
    for name, size, italic in TEXT_FIELDS:
        fields.append(_text_field(writer, points[name], name, size, italic))
    writer.update_container(acroform)


def add_fields(pdf_bytes: bytes, *, year: int) -> bytes:
    """Turn the blanks of a rendered PDF into form fields: text fields for the number and
    the date (when still blank; the year filled in already) and signature fields for the
    signer and the agency."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    points = slots.slots_of(writer.prev)
    if slots.SIGNATURE not in points:
        return pdf_bytes
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
        _add_text_fields(writer, points)
        fill_fields(writer, {slots.YEAR: str(year)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def issue_values(pdf_bytes: bytes, *, number: int, issued_on: dt.date) -> dict[str, str]:
    """The number and the whole date of issue, to write into the signed PDF's fields."""
    points = slots.read_slots(pdf_bytes)
    missing = {slots.NUMBER, slots.DAY, slots.MONTH, slots.YEAR} - set(points)
    if missing:
        raise ValueError(f"the PDF has no blank for {sorted(missing)}: it is numbered already")
    return {
        slots.NUMBER: format_number(number),
        slots.DAY: vn_day(issued_on.day),
        slots.MONTH: vn_month(issued_on.month),
        slots.YEAR: str(issued_on.year),
    }


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
    left = (x2 - x1 - shaped.x_advance * float(size)) / 2
    content = b"/Tx BMC q BT /F1 %s Tf 0 g %.2f %.2f Td %s ET Q EMC" % (
        size.encode(),
        left,
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
