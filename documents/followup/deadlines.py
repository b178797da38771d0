"""Deadlines as plans write them ("Thời gian thực hiện: Trong năm 2020") and their due dates.

A plan says when a task is due in a few set phrases: a year, a quarter, a month, a date, a
number of working days from issuance, or every month. ``parse_deadline`` reads them into a
``Deadline``; ``due_on_issue`` gives the concrete due date once the plan is issued, and
``next_monthly`` the one after a monthly report. A phrase the machine cannot count
("thường xuyên") gives no deadline: the drafter sets one by hand.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from documents import workdays

KIND_DATE = "date"
KIND_WORKING_DAYS = "working_days"
KIND_MONTHLY = "monthly"

# "Trong 400 ngày làm việc" is a typing error rather than a deadline.
MAX_WORKING_DAYS = 366


@dataclass(frozen=True)
class Deadline:
    """A deadline as the plan states it. ``due_on`` for a date; ``working_days`` counted from
    issuance; ``day_of_month`` for a monthly deadline (None: the month's last day)."""

    kind: str
    due_on: dt.date | None = None
    working_days: int | None = None
    day_of_month: int | None = None


def fold_char(char: str) -> str:
    """One character without case or diacritics: 'Đ' -> 'd', 'ộ' -> 'o'. A lone combining
    mark (text typed decomposed) folds to nothing."""
    if char in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Text without case, diacritics, markdown emphasis or repeated spaces, for matching."""
    folded = "".join(fold_char(char) for char in text.replace("**", ""))
    return " ".join(folded.split())


_LABEL = re.compile(r"^(?:thoi gian|thoi han)(?: thuc hien| hoan thanh)?\s*:?\s*")
_UNTIL = re.compile(r"\bden(?:\s+het)?\b")
_WORKING_DAYS = re.compile(r"(?<!\d)(\d{1,3})\s*ngay lam viec\b")
_MONTHLY = re.compile(r"\bhang thang\b")
_DAY_OF_MONTH = re.compile(r"\bngay\s*(\d{1,2})\b(?!\s*(?:[/.-]\s*\d|thang\s*\d))")
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])"
)
_WORDED_DATE = re.compile(
    r"\bngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\b(?:\s*,?\s*(?:nam|[/.-])\s*(\d{4})\b)?"
)
_MONTH = re.compile(r"\bthang\s*(\d{1,2})\b(?:\s*(?:[/.-]|nam)\s*(\d{4})\b)?")
_QUARTER = re.compile(r"\bquy\s*(iv|i{1,3}|[1-4])\b(?:\s*(?:[/.-]|nam)\s*(\d{4})\b)?")
_YEAR = re.compile(r"\bnam\s*(\d{4})\b")
_THIS_YEAR = re.compile(r"^(?:trong|ca)\s+nam$")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_deadline(text: str, *, year: int) -> Deadline | None:
    """The deadline a phrase states, or None when it states none the machine can count.

    Dates without a year, quarters and months fall in ``year``. A range ("từ tháng 6 đến
    hết tháng 9/2020") is due at its end. Never raises: an impossible date (31/2) is None.
    """
    if not isinstance(text, str):
        return None
    folded = _LABEL.sub("", fold(text)).strip(" .;,")
    if not folded:
        return None
    try:
        *_, tail = _UNTIL.split(folded)
        if tail != folded:
            found = _parse(tail.strip(" .;,"), year)
            if found is not None:
                return found
        return _parse(folded, year)
    except (ValueError, OverflowError):
        return None


def _parse(text: str, year: int) -> Deadline | None:
    """Raises ValueError for an impossible date; the caller turns it into None."""
    if match := _WORKING_DAYS.search(text):
        count = int(match[1])
        if not 0 < count <= MAX_WORKING_DAYS:
            return None
        return Deadline(KIND_WORKING_DAYS, working_days=count)
    if _MONTHLY.search(text):
        day_match = _DAY_OF_MONTH.search(text)
        if day_match is None:
            return Deadline(KIND_MONTHLY)
        day = int(day_match[1])
        return Deadline(KIND_MONTHLY, day_of_month=day) if 1 <= day <= 31 else None
    if match := _WORDED_DATE.search(text) or _NUMERIC_DATE.search(text):
        return _date(dt.date(_year(match[3], year), int(match[2]), int(match[1])))
    if match := _MONTH.search(text):
        return _date(_month_end(_year(match[2], year), int(match[1])))
    if match := _QUARTER.search(text):
        return _date(_month_end(_year(match[2], year), 3 * _QUARTERS[match[1]]))
    if match := _YEAR.search(text):
        return _date(dt.date(int(match[1]), 12, 31))
    if _THIS_YEAR.match(text):
        return _date(dt.date(year, 12, 31))
    return None


def _year(written: str | None, default: int) -> int:
    return int(written) if written else default


def _date(day: dt.date) -> Deadline:
    return Deadline(KIND_DATE, due_on=day)


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _monthly_on(year: int, month: int, day_of_month: int | None) -> dt.date:
    """The monthly due date in one month: ``day_of_month`` clamped to the month's length."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day_of_month is None else min(day_of_month, last))


def next_monthly(after: dt.date, day_of_month: int | None) -> dt.date:
    """The monthly due date in the month following ``after``'s month."""
    year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    return _monthly_on(year, month, day_of_month)


def due_on_issue(deadline: Deadline, issued_on: dt.date) -> dt.date:
    """The concrete due date when the plan is issued on ``issued_on``: the stated date; the
    working days counted from issuance (documents.workdays, which reads the calendar changes
    from the database); for a monthly deadline the first due date on or after issuance."""
    if deadline.kind == KIND_DATE and deadline.due_on is not None:
        return deadline.due_on
    if deadline.kind == KIND_WORKING_DAYS and deadline.working_days is not None:
        return workdays.add_working_days(issued_on, deadline.working_days)
    if deadline.kind == KIND_MONTHLY:
        this_month = _monthly_on(issued_on.year, issued_on.month, deadline.day_of_month)
        if this_month >= issued_on:
            return this_month
        return next_monthly(issued_on, deadline.day_of_month)
    raise ValueError(f"incomplete deadline: {deadline}")
