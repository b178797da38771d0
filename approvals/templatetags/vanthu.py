"""Template filters of the web UI."""

from django import template
from django.utils.translation import get_language

from documents.dates import vn_date as _vn_date
from documents.dates import vn_short_date as _vn_short_date
from documents.numbering import notation_for
from documents.people import display_name
from documents.rendering.markup import parse_body
from documents.rendering.parts import BLANK, recipient_lines

register = template.Library()


@register.filter
def vn_date(value):
    """'ngày 06 tháng 4 năm 2020' in Vietnamese (Decree 30), the locale's date otherwise."""
    if not value:
        return ""
    if (get_language() or "vi").startswith("vi"):
        return _vn_date(value)
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


@register.filter
def vn_short_date(value):
    """'01/4/2020', as a citation writes the date of the cited document."""
    return _vn_short_date(value) if value else ""


@register.filter
def vn_name(user):
    """A person's name in Vietnamese order: 'Nguyễn Văn An'."""
    return display_name(user)


@register.filter
def body_blocks(body):
    """The body's paragraphs with their kinds and bold runs, as the PDF sets them."""
    return parse_body(body or "")


@register.filter
def printed_recipients(document, lines):
    """The Nơi nhận lines as the PDF prints them, the last completed as the decree requires:
    '- Lưu: VT, VP (2).'; none when the drafter has entered none yet."""
    texts = [line.text for line in lines]
    if not texts:
        return []
    return recipient_lines(
        texts,
        drafting_unit=document.names().drafting_unit_abbreviation,
        archive_copies=document.archive_copies,
    )


@register.filter
def blank_notation(document):
    """The notation before the văn thư numbers the document: '…/KH-STTTT', '…/STTTT-VP'."""
    return f"{BLANK}/{notation_for(document, 0).partition('/')[2]}"
