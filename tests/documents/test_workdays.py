"""Deadlines in working days: weekends, the Vietnamese public holidays (Tết over several
days), and the days the government moves, entered by the administrator, which win."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from documents import workdays
from documents.models import CalendarChange

D = dt.date


@pytest.mark.django_db
def test_tet_and_weekends_do_not_count():
    # Tết Canh Tý 2020: 23/1 (29 Tết) to 29/1 (mùng năm) off; 22/1 a Wednesday.
    assert not workdays.is_working_day(D(2020, 1, 24))  # Giao thừa
    assert not workdays.is_working_day(D(2020, 1, 25))  # Tết, a Saturday anyway
    assert workdays.is_working_day(D(2020, 1, 22))
    assert workdays.add_working_days(D(2020, 1, 22), 1) == D(2020, 1, 30)
    assert workdays.add_working_days(D(2020, 1, 22), 3) == D(2020, 2, 3)  # over a weekend
    assert workdays.working_days_between(D(2020, 1, 22), D(2020, 2, 3)) == 3
    assert workdays.working_days_between(D(2020, 2, 3), D(2020, 1, 22)) == -3
    assert workdays.add_working_days(D(2020, 1, 22), 0) == D(2020, 1, 22)
    # 30/4 and 1/5 2020: Thursday and Friday.
    assert workdays.add_working_days(D(2020, 4, 29), 1) == D(2020, 5, 4)
    # Giỗ Tổ Hùng Vương 2020 (10/3 âm lịch): Thursday 2/4.
    assert not workdays.is_working_day(D(2020, 4, 2))


@pytest.mark.django_db
def test_the_governments_moves_win():
    # A make-up Saturday is worked; a compensatory Monday is not.
    CalendarChange.objects.create(
        day=D(2020, 2, 1), kind=CalendarChange.Kind.WORKING_DAY, reason="Làm bù"
    )
    CalendarChange.objects.create(
        day=D(2020, 2, 3), kind=CalendarChange.Kind.DAY_OFF, reason="Nghỉ bù"
    )
    assert workdays.is_working_day(D(2020, 2, 1))
    assert not workdays.is_working_day(D(2020, 2, 3))
    assert workdays.add_working_days(D(2020, 1, 22), 2) == D(2020, 1, 31)
    assert workdays.add_working_days(D(2020, 1, 22), 3) == D(2020, 2, 1)  # the Saturday
    assert workdays.add_working_days(D(2020, 1, 22), 4) == D(2020, 2, 4)  # past the Monday
    assert workdays.working_days_between(D(2020, 1, 22), D(2020, 2, 4)) == 4


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        workdays.add_working_days(D(2020, 1, 1), -1)


@pytest.mark.django_db
def test_the_administrator_records_the_moves_with_their_history(users):
    admin = Client()
    admin.force_login(users.quantri)
    response = admin.post(
        "/admin/documents/calendarchange/add/",
        {"day": "01/02/2020", "kind": "working_day", "reason": "Thông báo lịch nghỉ Tết"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = CalendarChange.objects.get()
    assert change.day == D(2020, 2, 1) and change.history.count() == 1
    # Anyone else: the admin's login page, nothing written.
    clerk = Client()
    clerk.force_login(users.vanthu)
    response = clerk.post(
        "/admin/documents/calendarchange/add/",
        {"day": "03/02/2020", "kind": "day_off", "reason": "x"},
    )
    assert response.status_code == 302 and CalendarChange.objects.count() == 1


def test_a_date_typed_the_vietnamese_way_is_read_day_first():
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        day = forms.DateField()

    with translation.override("vi"):
        form = Form({"day": "01/02/2020"})
        assert form.is_valid() and form.cleaned_data["day"] == D(2020, 2, 1)
        iso = Form({"day": "2020-02-01"})  # a browser's date picker
        assert iso.is_valid() and iso.cleaned_data["day"] == D(2020, 2, 1)
