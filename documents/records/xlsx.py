"""Cells an XLSX export writes: text stays text (a value starting with "=" is never stored as a
formula, so a subject typed as "=HYPERLINK(...)" is not a live link in Excel) and characters
the file format cannot hold are dropped instead of failing the whole export."""

from __future__ import annotations

from typing import Any

# What a spreadsheet program may read as the start of a formula or a command.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """The text without the control characters XLSX cannot store."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def text_cell(sheet: Any, value: Any) -> Any:
    """A write-only cell holding value; a string is cleaned and always written as text."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=cell_text(value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell
