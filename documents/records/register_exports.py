"""A register written to a stream: XLSX (openpyxl, write-only, one pass over the rows) and PDF
in the decree's layout (WeasyPrint from an HTML template: the cover and first page, then the
table on A4 landscape with its numbered columns, the print mark at every page's foot)."""

from __future__ import annotations

import datetime as dt
from copy import copy
from typing import TYPE_CHECKING, Any, BinaryIO

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..rendering.fonts import FAMILY_CSS
from . import printing
from .register_rows import Cell
from .registers import Cover, Register, iter_register_rows, register_cover
from .xlsx import text_cell

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PDF_TEMPLATE = "approvals/records/register_pdf.html"
DATE_FORMAT = "dd/mm/yyyy"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "…"


def cover_lines(cover: Cover) -> list[str]:
    """The cover's lines below the title, as the form has them."""
    return [
        _("Năm: %(year)s") % {"year": cover.year},
        _("Từ ngày %(a)s đến ngày %(b)s")
        % {"a": _text(cover.first_date), "b": _text(cover.last_date)},
        _("Từ số %(a)s đến số %(b)s")
        % {"a": cover.first_number or "…", "b": cover.last_number or "…"},
        _("Quyển số: %(n)s") % {"n": cover.volume},
    ]


def filename(register: Register, extension: str) -> str:
    return f"so-{register.kind}-{register.book}-{register.year}.{extension}".lower()


def display_cell(value: Cell) -> str:
    """A cell as printed: dates dd/mm/yyyy, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


# --- XLSX -----------------------------------------------------------------------------------


def write_xlsx(register: Register, stream: BinaryIO, *, user: User) -> int:
    """The title block (cover), the header row with the decree's columns and their numbers,
    one row per line (dates are dates, shown dd/mm/yyyy); returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    with translation.override("vi"):
        book = Workbook(write_only=True)
        sheet: Any = book.create_sheet(register.title[:31])
        columns = register.columns
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = 9  # A4
        sheet.oddFooter.center.text = printing.mark_text(user)
        bold, thin = Font(bold=True), Side(style="thin")
        box = Border(left=thin, right=thin, top=thin, bottom=thin)
        wrap = Alignment(wrap_text=True, vertical="top")

        def styled(value: Any, *, font: Any = None, border: bool = False) -> Any:
            cell = text_cell(sheet, value)
            if font is not None:
                cell.font = font
            if border:
                cell.border = box
                cell.alignment = wrap
            return cell

        cover = register_cover(register)
        sheet.append([styled(cover.parent_name.upper())])
        sheet.append([styled(cover.organization_name.upper(), font=bold)])
        sheet.append([styled(cover.title, font=Font(bold=True, size=14))])
        for line in cover_lines(cover):
            sheet.append([text_cell(sheet, line)])
        sheet.append([text_cell(sheet, printing.mark_text(user))])
        sheet.append([])
        sheet.append([styled(str(c.title), font=bold, border=True) for c in columns])
        sheet.append([styled(f"({n})", font=bold, border=True) for n in range(1, len(columns) + 1)])
        # Two cells styled once (boxed, wrapped; a date's format), their style copied to
        # every cell: setting a style per cell hashes it each time, half an export's time.
        text_style = styled(None, border=True)._style
        date_cell = styled(None, border=True)
        date_cell.number_format = DATE_FORMAT
        date_style = date_cell._style
        written = 0
        for row in iter_register_rows(register):
            cells = []
            for value in row.cells:
                cell = text_cell(sheet, value)
                cell._style = copy(date_style if isinstance(value, dt.date) else text_style)
                cells.append(cell)
            sheet.append(cells)
            written += 1
        book.save(stream)
    return written


# --- PDF ------------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """A CSS string literal (the print mark goes into @page's content)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def column_widths(register: Register) -> list[str]:
    """Each column's share of the page, as CSS ("7.51%": never the locale's decimal comma)."""
    total = sum(column.width for column in register.columns)
    return [f"{column.width * 100 / total:.2f}%" for column in register.columns]


def render_html(register: Register, *, user: User) -> str:
    """The register as the HTML WeasyPrint sets."""
    cover = register_cover(register)
    rows = ([display_cell(value) for value in row.cells] for row in iter_register_rows(register))
    with translation.override("vi"):
        mark = printing.mark_text(user)
        context = {
            "register": register,
            "cover": cover,
            "cover_lines": cover_lines(cover),
            "columns": [str(column.title) for column in register.columns],
            "widths": column_widths(register),
            "numbers": [f"({n})" for n in range(1, len(register.columns) + 1)],
            "rows": rows,
            "mark": mark,
            "mark_css": _css_string(mark),
            "font_family": FAMILY_CSS,
        }
        return render_to_string(PDF_TEMPLATE, context)


def write_pdf(register: Register, stream: BinaryIO, *, user: User) -> None:
    """Write the register as an A4 landscape PDF: cover page, then the table."""
    from weasyprint import HTML  # heavy import (Pango), only when a PDF is made

    HTML(string=render_html(register, user=user)).write_pdf(stream)
