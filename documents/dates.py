"""Dates written the way Decree 30 requires (Phụ lục I, II.4)."""

import datetime as dt


def vn_day(day: int) -> str:
    """Days below 10 take a leading zero."""
    return f"{day:02d}"


def vn_month(month: int) -> str:
    """Months 1 and 2 take a leading zero; the others do not."""
    return f"{month:02d}" if month < 3 else str(month)


def vn_date(date: dt.date) -> str:
    """'ngày 05 tháng 01 năm 2020', 'ngày 29 tháng 6 năm 2019'."""
    return f"ngày {vn_day(date.day)} tháng {vn_month(date.month)} năm {date.year}"


def vn_place_date(place: str, date: dt.date) -> str:
    """'Bình Phước, ngày 01 tháng 4 năm 2020'."""
    return f"{place}, {vn_date(date)}"


def vn_short_date(date: dt.date) -> str:
    """The short form used when citing a document: '01/4/2020'."""
    return f"{date.day:02d}/{vn_month(date.month)}/{date.year}"
