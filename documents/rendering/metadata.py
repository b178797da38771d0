"""The document's metadata in the PDF's document information dictionary, under the names of
Phụ lục VI, part II (CodeNumber, CodeNotation, IssuedDate, OrganName, Subject, …), so that a
reader or an archive finds the number, notation and date without reading the page.

What is known when the signer signs is written when the PDF is rendered. The number, the
notation and the date are added at issuance, in the incremental update that fills the form
fields and adds the agency's signature: an update of /Info is a change the signer's
signature permits (pyHanko's DocInfoRule), as filling the fields is. WeasyPrint writes no XMP
packet here and pyHanko writes none into a file without one, so the values live in /Info
only (custom keys of /Info are what Acrobat shows as custom properties, and what
pypdf's PdfReader.metadata returns)."""

from __future__ import annotations

import datetime as dt

from ..dates import vn_short_date
from .parts import DocumentParts

LANGUAGE = "vi"


def issue_info(
    parts: DocumentParts, *, number: str, notation: str, issued_on: dt.date
) -> dict[str, str]:
    """What the issuance adds: number (CodeNumber "05"), notation (CodeNotation "KH-STTTT"),
    date (IssuedDate, ISO 8601), and a title that cites the document by them."""
    suffix = notation.partition("/")[2]
    return {
        "Title": (
            f"{parts.type_label} số {notation} ngày {vn_short_date(issued_on)}: {parts.subject}"
        ),
        "Keywords": notation,
        "CodeNumber": number,
        "CodeNotation": suffix,
        "IssuedDate": issued_on.isoformat(),
    }


def render_info(parts: DocumentParts) -> dict[str, str]:
    """Everything known when the PDF is rendered; the issued values too if it is numbered."""
    info = {
        "Title": f"{parts.type_label}: {parts.subject}",
        "Author": parts.organ_name,
        "Subject": parts.subject,
        "OrganName": parts.organ_name,
        "TypeName": parts.type_label,
        "Language": LANGUAGE,
        "Position": parts.title,
        "FullName": parts.signer_name,
    }
    if parts.number is not None and parts.issued_on is not None:
        info.update(
            issue_info(
                parts, number=parts.number, notation=parts.notation, issued_on=parts.issued_on
            )
        )
    return info
