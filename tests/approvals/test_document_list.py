"""Danh sách văn bản: filters (type, state, unit, year, urgency), search, paging, scope."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from documents import services as documents
from documents.models import Document, DocumentType, Unit
from tests.conftest import SEED_SUBJECT

LIST = "/documents/van-ban/"


def listed(response) -> set[int]:
    """The documents the list shows, by primary key."""
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'<a href="/documents/van-ban/(\d+)/">', response.text)}


@pytest.fixture
def drafts(users, seed_plan):
    """A report marked khẩn and a notice, beside the seed plan and plan 83/KH-UBND."""

    def draft(abbreviation: str, subject: str, urgency: str = "") -> Document:
        return documents.document_create(
            actor=users.chuyenvien,
            organization=seed_plan.organization,
            document_type=DocumentType.objects.get(abbreviation=abbreviation),
            subject=subject,
            urgency=urgency,
        )

    return {
        "report": draft("BC", "Kết quả thực hiện Kế hoạch bảo đảm TTATGT quý I", urgency="khan"),
        "notice": draft("TB", "Lịch trực Tết Nguyên đán"),
        "plan": seed_plan,
        "reference": Document.objects.get(notation="83/KH-UBND"),
    }


def test_each_filter_narrows_the_list(client_for, drafts):
    client = client_for("chuyenvien")
    pk = {name: document.pk for name, document in drafts.items()}
    assert listed(client.get(LIST)) == set(pk.values())

    report_type = drafts["report"].document_type_id
    assert listed(client.get(LIST, {"document_type": report_type})) == {pk["report"]}
    assert listed(client.get(LIST, {"urgency": "khan"})) == {pk["report"]}
    assert listed(client.get(LIST, {"status": "archived"})) == {pk["reference"]}
    assert listed(client.get(LIST, {"status": "draft"})) == {pk["report"], pk["notice"], pk["plan"]}
    # Year: the year of issue, or for a document not yet issued the year it was started.
    assert listed(client.get(LIST, {"year": 2020})) == {pk["reference"]}
    this_year = timezone.localdate().year
    assert pk["reference"] not in listed(client.get(LIST, {"year": this_year}))

    office = drafts["plan"].drafting_unit
    other = Unit.objects.filter(kind=Unit.Kind.INTERNAL).exclude(pk=office.pk).first()
    assert listed(client.get(LIST, {"drafting_unit": office.pk})) == {
        pk["report"],
        pk["notice"],
        pk["plan"],
    }
    assert listed(client.get(LIST, {"drafting_unit": other.pk})) == set()
    # Filters combine.
    assert listed(client.get(LIST, {"status": "draft", "urgency": "khan"})) == {pk["report"]}


def test_search_by_subject_or_number(client_for, drafts):
    client = client_for("chuyenvien")
    assert listed(client.get(LIST, {"_search": "Tết"})) == {drafts["notice"].pk}
    assert listed(client.get(LIST, {"_search": "83/KH"})) == {drafts["reference"].pk}
    assert listed(client.get(LIST, {"_search": "thi đua trật tự"})) == {
        drafts["plan"].pk,
        drafts["reference"].pk,
    }
    assert listed(client.get(LIST, {"_search": "không có văn bản này"})) == set()


def test_a_bad_filter_value_is_ignored_not_a_crash(client_for, drafts):
    client = client_for("chuyenvien")
    everything = listed(client.get(LIST))
    assert listed(client.get(LIST, {"status": "khong-co"})) == everything
    assert listed(client.get(LIST, {"year": "hai-nghin"})) == everything


def test_filters_and_search_never_widen_what_a_person_sees(client_for, drafts):
    # Công an tỉnh sees no drafts of the Sở, whatever it asks for.
    client = client_for("congan")
    drafts_pk = {drafts["report"].pk, drafts["notice"].pk, drafts["plan"].pk}
    for query in ({}, {"status": "draft"}, {"_search": "Tết"}, {"year": timezone.localdate().year}):
        assert listed(client.get(LIST, query)) & drafts_pk == set(), query


def test_the_list_pages_by_twenty(client_for, users, seed_plan):
    for n in range(23):
        documents.document_create(
            actor=users.chuyenvien,
            organization=seed_plan.organization,
            document_type=seed_plan.document_type,
            subject=f"Báo cáo tuần {n + 1:02d}",
        )
    client = client_for("chuyenvien")
    total = 23 + 2  # and the seed plan and plan 83/KH-UBND
    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    assert len(listed(first)) == 20
    assert len(listed(second)) == total - 20
    assert listed(first).isdisjoint(listed(second))
    assert f"1-20 trên tổng số {total}" in first.text
    assert f"21-{total} trên tổng số {total}" in second.text
    # Newest first: the last draft made opens the list.
    assert "Báo cáo tuần 23" in first.text and "Báo cáo tuần 23" not in second.text
    assert SEED_SUBJECT in second.text


def test_the_date_column_is_short_and_sorts_by_date(client_for, drafts):
    client = client_for("chuyenvien")
    text = client.get(LIST).text
    # "01/4/2020" as a citation writes it, not the long "Ngày 01 tháng 4 năm 2020".
    assert re.search(r">\s*01/4/2020\s*<", text)
    assert "Ngày 01 tháng 4 năm 2020" not in text
    oldest_first = listed_in_order(client.get(LIST, {"_orderby": "issued_on_short"}))
    newest_first = listed_in_order(client.get(LIST, {"_orderby": "-issued_on_short"}))
    reference = drafts["reference"].pk
    assert oldest_first.index(reference) != newest_first.index(reference)


def listed_in_order(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<a href="/documents/van-ban/(\d+)/">', response.text)]
