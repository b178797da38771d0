import datetime as dt

import pytest

from documents.dates import vn_date, vn_place_date, vn_short_date


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2020, 4, 1), "ngày 01 tháng 4 năm 2020"),
        (dt.date(2020, 1, 5), "ngày 05 tháng 01 năm 2020"),
        (dt.date(2020, 2, 29), "ngày 29 tháng 02 năm 2020"),
        (dt.date(2019, 6, 29), "ngày 29 tháng 6 năm 2019"),
        (dt.date(2020, 3, 9), "ngày 09 tháng 3 năm 2020"),
        (dt.date(2020, 12, 31), "ngày 31 tháng 12 năm 2020"),
        (dt.date(2020, 10, 10), "ngày 10 tháng 10 năm 2020"),
    ],
)
def test_days_below_10_and_months_1_2_take_a_leading_zero(date, expected):
    assert vn_date(date) == expected


def test_place_and_date_line():
    assert (
        vn_place_date("Bình Phước", dt.date(2020, 4, 1)) == "Bình Phước, ngày 01 tháng 4 năm 2020"
    )


def test_short_citation_date():
    assert vn_short_date(dt.date(2020, 4, 1)) == "01/4/2020"
    assert vn_short_date(dt.date(2020, 1, 15)) == "15/01/2020"
