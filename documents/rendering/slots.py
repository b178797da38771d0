"""Places left in a rendered PDF for what comes after sign-off: the number, the date and
the signatures. WeasyPrint writes each as a named destination, so the file itself says
where its blanks are.

The number and the date are each one left-aligned form field set right after the words
printed before them, "Số: " and "Bình Phước, ngày ", and holding the rest of the line:
"01/KH-STTTT", "05 tháng 01 năm 2020". A field's place is fixed when the signer signs, but
its text is not known then, so the field holds everything up to the end of the line: only
its right end moves with the number of digits, and nothing follows it on the line. The
template reserves the width the issued text takes, so the line is centred as the decree
sets it (within a digit's width)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from .fonts import text_width_pt

# Named destinations in the PDF, and the form fields created on them.
NUMBER = "so-van-ban"  # "01/KH-STTTT": số and ký hiệu, after "Số: "
DATE = "ngay-ban-hanh"  # "05 tháng 01 năm 2020", after "<place>, ngày "
SIGNATURE = "chu-ky-nguoi-ky"  # ô 7c, the signer's digital signature
AGENCY_SIGNATURE = "chu-ky-co-quan"  # ô 8, the agency's digital signature (the seal)

BLANK_WIDTHS = {"number": 26, "day": 24, "month": 18}  # a draft's blanks, to write on, in pt
FIELD_SLACK = 28  # pt a field reaches past its reserved width: digits the guess did not count
SIGNATURE_BOX = {"width": 170, "height": 72}  # ô 7c: the signer's signature, in pt
SEAL_SIZE = 96  # ô 8: the agency's seal/signature, ~35 mm, over the left third of 7c
NUMBER_SIZE = 13
DATE_SIZE = 14


@dataclass(frozen=True)
class Point:
    """A position on a page in PDF user space (pt, origin bottom left)."""

    page: int
    x: float
    y: float


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, for a visible signature."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


def reserved_widths(notation_suffix: str) -> dict[str, float]:
    """The width, in pt, of the text each field will hold once issued, with two-digit numbers
    ("05/KH-STTTT", "16 tháng 11 năm 2020"): a longer number runs on to the right."""
    return {
        NUMBER: text_width_pt(f"00/{notation_suffix}", NUMBER_SIZE),
        DATE: text_width_pt("00 tháng 00 năm 0000", DATE_SIZE, italic=True),
    }


def template_context(notation_suffix: str) -> dict[str, object]:
    """Slot names and sizes for the HTML template."""
    reserved = reserved_widths(notation_suffix)
    return {
        "slots": {"number": NUMBER, "date": DATE, "signature": SIGNATURE},
        "slot_widths": {"number": reserved[NUMBER], "date": reserved[DATE], **BLANK_WIDTHS},
        "signature_box": SIGNATURE_BOX,
    }


def _name_tree(node: generic.DictionaryObject) -> dict[str, generic.PdfObject]:
    found: dict[str, generic.PdfObject] = {}
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        for index in range(0, len(names), 2):
            found[str(names[index])] = names[index + 1].get_object()
    for kid in node.get("/Kids", generic.ArrayObject()):
        found.update(_name_tree(kid.get_object()))
    return found


def read_slots(pdf_bytes: bytes) -> dict[str, Point]:
    """Every named destination of the file as a point: page index, left, top."""
    return slots_of(PdfFileReader(io.BytesIO(pdf_bytes), strict=False))


def slots_of(reader: PdfFileReader) -> dict[str, Point]:
    """Every named destination of an open PDF as a point: page index, left, top."""
    pages = {
        reader.find_page_for_modification(i)[0].idnum: i
        for i in range(int(reader.root["/Pages"]["/Count"]))
    }
    names = reader.root.get("/Names")
    if names is None or "/Dests" not in names.get_object():
        return {}
    points: dict[str, Point] = {}
    for name, destination in _name_tree(names.get_object()["/Dests"].get_object()).items():
        if isinstance(destination, generic.DictionaryObject):
            destination = destination["/D"]
        if not isinstance(destination, generic.ArrayObject):
            raise TypeError(f"named destination {name!r} is not a page position")
        page_ref = destination.raw_get(0)
        points[name] = Point(pages[page_ref.idnum], float(destination[2]), float(destination[3]))
    return points


def signature_boxes(point: Point) -> tuple[Box, Box]:
    """Where the signer's signature (ô 7c) and the agency's seal (ô 8) are shown."""
    width, height = SIGNATURE_BOX["width"], SIGNATURE_BOX["height"]
    signer = Box(point.page, point.x, point.y - height, point.x + width, point.y)
    seal_right = signer.x1 + width / 3
    middle = point.y - height / 2
    agency = Box(
        point.page,
        seal_right - SEAL_SIZE,
        middle - SEAL_SIZE / 2,
        seal_right,
        middle + SEAL_SIZE / 2,
    )
    return signer, agency
