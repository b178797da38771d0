"""Template filters of the web UI."""

from django import template
from django.utils.translation import get_language

from documents.dates import vn_date as _vn_date
from documents.dates import vn_short_date as _vn_short_date
from documents.people import display_name
from documents.rendering.markup import parse_body

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
