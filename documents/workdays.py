"""Working days (ngày làm việc) for deadlines counted "N ngày làm việc".

A day is worked unless it is a Saturday or a Sunday, or a Vietnamese public holiday (the
`holidays` library's calendar for VN: Tết Dương lịch, Tết Nguyên Đán over several days, Giỗ
Tổ Hùng Vương, 30/4, 1/5, Quốc khánh, and the substitutes it knows), and unless the
administrator recorded the government's change for that day (documents.CalendarChange: a
compensatory day off, or a Saturday worked to make up for one), which wins over both.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from .models import CalendarChange

# Far enough for any deadline: a loop that finds no working day in this many days has met a
# misconfigured calendar, and says so instead of running on.
MAX_SPAN_DAYS = 366 * 2


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def _changes(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """The administrator's changes between two days, in one query."""
    rows = CalendarChange.objects.filter(day__range=(start, end)).values_list("day", "kind")
    return dict(rows)


def _worked(day: dt.date, changes: dict[dt.date, str]) -> bool:
    change = changes.get(day)
    if change is not None:
        return change == CalendarChange.Kind.WORKING_DAY
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return _worked(day, _changes(day, day))


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start`` (which is not counted): a deadline of
    "5 ngày làm việc" from an issuance on ``start``. ``count`` 0: ``start`` itself."""
    if count < 0:
        raise ValueError("count must not be negative")
    changes = _changes(start, start + dt.timedelta(days=MAX_SPAN_DAYS))
    day, left = start, count
    for _step in range(MAX_SPAN_DAYS):
        if left == 0:
            return day
        day += dt.timedelta(days=1)
        if _worked(day, changes):
            left -= 1
    raise ValueError(f"no {count} working days within {MAX_SPAN_DAYS} days of {start}")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
    before ``start``): how many working days a deadline is overdue on ``end``."""
    if end < start:
        return -working_days_between(end, start)
    changes = _changes(start, end)
    return sum(
        _worked(start + dt.timedelta(days=offset), changes)
        for offset in range(1, (end - start).days + 1)
    )
