"""Assignments suggested from a plan's body, and the deadlines its phrases state.

The seed plan (Kế hoạch TTATGT 2020, fixtures/demo_documents.json) assigns four tasks: two
under "1. Công tác tuyên truyền", one to Phòng Bưu chính - Viễn thông - Công nghệ thông tin,
one to the whole agency, all "Trong năm 2020".
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.followup import deadlines
from documents.followup.deadlines import (
    KIND_DATE,
    KIND_MONTHLY,
    KIND_WORKING_DAYS,
    Deadline,
    due_on_issue,
    next_monthly,
    parse_deadline,
)
from documents.followup.suggestions import Suggestion, suggest
from documents.models import CalendarChange, Unit

D = dt.date

# The demo organisation's units (fixtures/organisation.json), unsaved: matching reads only
# their id, name, abbreviation and whether they are active.
UNITS = [
    Unit(pk=1, name="Ban Giám đốc", abbreviation="BGĐ", is_active=True),
    Unit(pk=2, name="Văn phòng", abbreviation="VP", is_active=True),
    Unit(pk=3, name="Phòng Thông tin - Báo chí - Xuất bản", abbreviation="TTBCXB", is_active=True),
    Unit(
        pk=4,
        name="Phòng Bưu chính - Viễn thông - Công nghệ thông tin",
        abbreviation="BCVTCNTT",
        is_active=True,
    ),
    Unit(
        pk=5,
        name="Trung tâm Công nghệ thông tin và Truyền thông",
        abbreviation="TTCNTT",
        is_active=True,
    ),
    Unit(pk=7, name="Công an tỉnh", abbreviation="CA", is_active=True),
    Unit(pk=9, name="Ủy ban nhân dân tỉnh", abbreviation="UBND", is_active=True),
    Unit(pk=20, name="Phòng Kế hoạch - Tài chính", abbreviation="KHTC", is_active=False),
]


def one(body: str, year: int = 2020) -> Suggestion:
    found = suggest(body, UNITS, year=year)
    assert len(found) == 1, found
    return found[0]


# The seed plan ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_seed_plan_gives_its_four_assignments(seed_plan):
    units = {unit.name: unit.pk for unit in Unit.objects.all()}
    found = suggest(seed_plan.body, Unit.objects.all(), year=2020)

    assert [(s.heading, s.task, s.lead_text, s.lead_unit_id, s.whole_agency) for s in found] == [
        (
            "1. Công tác tuyên truyền",
            "Tuyên truyền tại cơ quan",
            "Văn phòng",
            units["Văn phòng"],
            False,
        ),
        (
            "1. Công tác tuyên truyền",
            "Định hướng tuyên truyền đối với cơ quan báo chí, thông tin cơ sở",
            "Phòng Thông tin - Báo chí - Xuất bản",
            units["Phòng Thông tin - Báo chí - Xuất bản"],
            False,
        ),
        (
            "2. Đẩy mạnh ứng dụng công nghệ thông tin, các thành tựu của cách mạng công nghiệp "
            "lần thứ 4 đối với công tác quản lý, điều hành, tổ chức giao thông",
            "Chủ trì tham mưu triển khai các ứng dụng công nghệ thông tin để bảo đảm trật tự an "
            "toàn giao thông trên địa bàn tỉnh",
            "Phòng Bưu chính - Viễn thông - Công nghệ thông tin",
            units["Phòng Bưu chính - Viễn thông - Công nghệ thông tin"],
            False,
        ),
        (
            "3. Chấp hành các quy định pháp luật về an toàn giao thông",
            "100% công chức, viên chức, người lao động Sở Thông tin và Truyền thông; không có "
            "trường hợp vi phạm nào xảy ra",
            "100% công chức, viên chức, người lao động Sở Thông tin và Truyền thông",
            None,
            True,
        ),
    ]
    for suggestion in found:
        assert suggestion.supporting_unit_ids == ()
        assert suggestion.deadline_text == "Trong năm 2020"
        assert suggestion.deadline == Deadline(KIND_DATE, due_on=D(2020, 12, 31))


@pytest.mark.django_db
def test_the_seed_plan_typed_with_crlf_bullets_and_bold_gives_the_same(seed_plan):
    plain = suggest(seed_plan.body, Unit.objects.all(), year=2020)
    typed = (
        seed_plan.body.replace("\n+ ", "\n• ")
        .replace("1. Công tác tuyên truyền", "**1. Công tác tuyên truyền**")
        .replace("\n", "\r\n")
    )
    assert suggest(typed, Unit.objects.all(), year=2020) == plain
    assert len(plain) == 4


@pytest.mark.django_db
def test_an_inactive_unit_is_not_suggested(seed_plan):
    Unit.objects.filter(name="Văn phòng").update(is_active=False)
    first = suggest(seed_plan.body, Unit.objects.all(), year=2020)[0]
    # The drafter still sees who the plan names, and picks the unit.
    assert (first.task, first.lead_text, first.lead_unit_id) == (
        "Tuyên truyền tại cơ quan",
        "Văn phòng",
        None,
    )


# Clauses ----------------------------------------------------------------------------------


def test_supporting_units_after_phoi_hop_but_not_the_recipient_of_the_report():
    found = one(
        "II. NỘI DUNG THỰC HIỆN\n1. Sơ kết\n- Phân công thực hiện: Văn phòng chủ trì, phối hợp "
        "với Phòng TT-BC-XB và Trung tâm Công nghệ thông tin và Truyền thông tổ chức sơ kết, "
        "báo cáo Ủy ban nhân dân tỉnh.\n- Thời gian thực hiện: Quý III/2020."
    )
    assert found.lead_unit_id == 2 and found.lead_text == "Văn phòng"
    assert found.supporting_unit_ids == (3, 5)  # not 9, Ủy ban nhân dân tỉnh: reported to
    assert found.task.startswith("Chủ trì, phối hợp với Phòng TT-BC-XB")
    assert found.deadline == Deadline(KIND_DATE, due_on=D(2020, 9, 30))


def test_units_named_before_phoi_hop_support_and_abbreviations_match():
    found = one(
        "1. Giám sát\n- Phân công thực hiện:\n+ Giám sát: Phòng TTBCXB chủ trì; Văn phòng, "
        "Công an tỉnh phối hợp thực hiện.\n"
    )
    assert (found.task, found.lead_text, found.lead_unit_id) == ("Giám sát", "Phòng TTBCXB", 3)
    assert found.supporting_unit_ids == (2, 7)
    assert found.deadline_text == "" and found.deadline is None


def test_names_match_without_case_or_spaces_around_hyphens():
    found = one(
        "1. A\n- Phân công thực hiện:\n"
        "+ Tuyên truyền: phòng thông tin – báo chí–xuất bản thực hiện.\n"
    )
    assert (found.task, found.lead_text, found.lead_unit_id) == (
        "Tuyên truyền",
        "phòng thông tin – báo chí–xuất bản",
        3,
    )


def test_two_units_in_charge_on_one_line_are_two_clauses():
    found = suggest(
        "1. Hai việc\n- Phân công thực hiện: Văn phòng chủ trì tuyên truyền tại cơ quan; Phòng "
        "Bưu chính-Viễn thông-Công nghệ thông tin chủ trì ứng dụng CNTT; báo cáo kết quả.\n"
        "- Thời gian thực hiện:\n+ Trong 10 ngày làm việc kể từ ngày ban hành\n",
        UNITS,
        year=2020,
    )
    assert [(s.lead_unit_id, s.task) for s in found] == [
        (2, "Chủ trì tuyên truyền tại cơ quan"),
        (4, "Chủ trì ứng dụng CNTT; báo cáo kết quả"),
    ]
    assert {s.deadline for s in found} == {Deadline(KIND_WORKING_DAYS, working_days=10)}


def test_a_clause_naming_only_the_unit_takes_the_headings_task():
    found = one("1. Công tác tuyên truyền\n- Phân công thực hiện: Văn phòng chủ trì thực hiện.")
    assert (found.task, found.lead_unit_id) == ("Công tác tuyên truyền", 2)


def test_an_unknown_unit_is_kept_as_written_without_an_id():
    found = one("2. Khác\n- Phân công thực hiện: Phòng Văn hóa chủ trì tham mưu kế hoạch.")
    assert (found.lead_text, found.lead_unit_id, found.whole_agency) == (
        "Phòng Văn hóa",
        None,
        False,
    )
    assert found.task == "Chủ trì tham mưu kế hoạch"
    inactive = one("1. A\n- Phân công thực hiện:\n+ Dự toán: Phòng Kế hoạch - Tài chính chủ trì.")
    assert (inactive.task, inactive.lead_text, inactive.lead_unit_id) == (
        "Dự toán",
        "Phòng Kế hoạch - Tài chính",
        None,
    )


def test_every_unit_of_the_agency():
    found = one(
        "3. Chấp hành\n- Phân công thực hiện: Các phòng, đơn vị thuộc Sở thực hiện nghiêm.\n"
        "- Thời gian thực hiện: Thường xuyên."
    )
    assert found.whole_agency and found.lead_unit_id is None
    assert found.lead_text == "Các phòng, đơn vị thuộc Sở"
    assert found.deadline_text == "Thường xuyên" and found.deadline is None


def test_other_numbered_lines_and_sections_assign_nothing():
    body = (
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\nVăn phòng chủ trì thực hiện.\n"
        "III. TỔ CHỨC THỰC HIỆN\n1. Văn phòng\n- Tham mưu triển khai thực hiện.\n"
    )
    assert suggest(body, UNITS, year=2020) == []


def test_the_list_ends_where_the_plan_goes_on():
    found = suggest(
        "1. A\n- Phân công thực hiện:\n+ Việc một: Văn phòng chủ trì.\nĐoạn văn tiếp theo, "
        "Công an tỉnh chủ trì kiểm tra.\n- Phân công thực hiện: Ban Giám đốc chủ trì.\n"
        "- Tiếp tục đẩy mạnh, Công an tỉnh chủ trì.\n",
        UNITS,
        year=2020,
    )
    assert [s.lead_unit_id for s in found] == [2, 1]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\r\n",
        "Không có phân công nào.",
        "II. NỘI DUNG\n1. Việc\nNội dung không phân công.",
        "- Phân công thực hiện:",
        "- Phân công thực hiện:\n- Thời gian thực hiện:",
        ":::\n+\n-\n•\n**\n1.\nI.",
    ],
)
def test_bodies_without_assignments_give_nothing(body):
    assert suggest(body, UNITS, year=2020) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "1. Việc",
                "II. NỘI DUNG",
                "- Phân công thực hiện:",
                "- Phân công thực hiện: Văn phòng chủ trì, phối hợp với",
                "+ Tuyên truyền: Phòng TT-BC-XB chủ trì",
                "+ : chủ trì",
                "phối hợp với phối hợp",
                "- Thời gian thực hiện: ngày 31/2",
                "• 100%",
                "**",
                "\r",
            ]
        )
        | st.text(),
        max_size=12,
    )
)
def test_odd_bodies_never_raise(lines):
    for suggestion in suggest("\n".join(lines), UNITS, year=2020):
        assert suggestion.lead_unit_id in {None, *(unit.pk for unit in UNITS if unit.is_active)}


# Deadlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due_on"),
    [
        ("Thời gian thực hiện: Trong năm 2020.", D(2020, 12, 31)),
        ("năm 2021", D(2021, 12, 31)),
        ("TRONG NAM 2020", D(2020, 12, 31)),
        ("trong quý II", D(2019, 6, 30)),
        ("quý 2 năm 2021", D(2021, 6, 30)),
        ("Quý IV", D(2019, 12, 31)),
        ("Quý III/2020", D(2020, 9, 30)),
        ("trong tháng 6", D(2019, 6, 30)),
        ("tháng 2/2020", D(2020, 2, 29)),
        ("tháng 6 năm 2020", D(2020, 6, 30)),
        ("trước ngày 15/7/2020", D(2020, 7, 15)),
        ("trước 15/7", D(2019, 7, 15)),
        ("ngày 15/7/2020", D(2020, 7, 15)),
        ("chậm nhất ngày 15 tháng 7 năm 2020", D(2020, 7, 15)),
        ("Thời hạn hoàn thành: chậm nhất ngày 05 tháng 01 năm 2021.", D(2021, 1, 5)),
        ("từ tháng 6 đến hết tháng 9/2020", D(2020, 9, 30)),
    ],
)
def test_dates(text, due_on):
    assert parse_deadline(text, year=2019) == Deadline(KIND_DATE, due_on=due_on)


def test_text_typed_decomposed_reads_the_same():
    import unicodedata

    text = unicodedata.normalize("NFD", "Chậm nhất ngày 15 tháng 7 năm 2020")
    assert parse_deadline(text, year=2019) == Deadline(KIND_DATE, due_on=D(2020, 7, 15))


@pytest.mark.parametrize(
    "text", ["trong 10 ngày làm việc (kể từ ngày ban hành)", "10 ngày làm việc", "10 NGÀY LÀM VIỆC"]
)
def test_working_days(text):
    assert parse_deadline(text, year=2020) == Deadline(KIND_WORKING_DAYS, working_days=10)


@pytest.mark.parametrize(
    ("text", "day_of_month"),
    [
        ("hằng tháng", None),
        ("Hàng tháng", None),
        ("Định kỳ hằng tháng.", None),
        ("trước ngày 20 hằng tháng", 20),
        ("Báo cáo hằng tháng, trước ngày 25", 25),
    ],
)
def test_monthly(text, day_of_month):
    assert parse_deadline(text, year=2020) == Deadline(KIND_MONTHLY, day_of_month=day_of_month)


@pytest.mark.parametrize(
    "text",
    [
        "thường xuyên",
        "Thời gian thực hiện:",
        "",
        "ngày 31/2/2020",
        "31/2",
        "ngày 30 tháng 2 năm 2021",
        "tháng 13",
        "quý V",
        "trong 0 ngày làm việc",
        "ngày 32 hằng tháng",
        "khi có yêu cầu",
        "ngày 15/7/0000",
    ],
)
def test_what_states_no_countable_deadline_is_none(text):
    assert parse_deadline(text, year=2020) is None


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=9999))
def test_no_phrase_raises(text, year):
    found = parse_deadline(text, year=year)
    assert found is None or found.kind in {KIND_DATE, KIND_WORKING_DAYS, KIND_MONTHLY}


# Due dates --------------------------------------------------------------------------------


def test_a_date_is_due_on_that_date_whenever_issued():
    deadline = Deadline(KIND_DATE, due_on=D(2020, 12, 31))
    assert due_on_issue(deadline, D(2020, 4, 20)) == D(2020, 12, 31)


@pytest.mark.django_db
def test_working_days_skip_tet():
    # Tết Giáp Thìn: the holidays library gives 8/2/2024 (29 Tết) to 14/2 (mùng năm) off, as
    # the government's calendar did. Issued Wednesday 7/2: Thursday 15/2 is the first working
    # day, then 16/2, 19/2, 20/2 and 21/2.
    five = Deadline(KIND_WORKING_DAYS, working_days=5)
    assert due_on_issue(five, D(2024, 2, 7)) == D(2024, 2, 21)
    assert due_on_issue(Deadline(KIND_WORKING_DAYS, working_days=1), D(2024, 2, 7)) == D(
        2024, 2, 15
    )
    # The administrator's make-up Saturday counts.
    CalendarChange.objects.create(
        day=D(2024, 2, 17), kind=CalendarChange.Kind.WORKING_DAY, reason="Làm bù"
    )
    assert due_on_issue(five, D(2024, 2, 7)) == D(2024, 2, 20)


def test_monthly_due_dates():
    last_day = Deadline(KIND_MONTHLY)
    on_20th = Deadline(KIND_MONTHLY, day_of_month=20)
    on_31st = Deadline(KIND_MONTHLY, day_of_month=31)
    assert due_on_issue(last_day, D(2020, 2, 3)) == D(2020, 2, 29)
    assert due_on_issue(on_20th, D(2020, 4, 20)) == D(2020, 4, 20)  # the day itself
    assert due_on_issue(on_20th, D(2020, 4, 21)) == D(2020, 5, 20)
    assert due_on_issue(on_31st, D(2021, 2, 10)) == D(2021, 2, 28)  # clamped
    assert due_on_issue(on_20th, D(2020, 12, 21)) == D(2021, 1, 20)
    assert next_monthly(D(2020, 1, 31), None) == D(2020, 2, 29)
    assert next_monthly(D(2020, 1, 31), 31) == D(2020, 2, 29)
    assert next_monthly(D(2020, 2, 29), 31) == D(2020, 3, 31)
    assert next_monthly(D(2020, 12, 5), 20) == D(2021, 1, 20)


def test_an_incomplete_deadline_has_no_due_date():
    with pytest.raises(ValueError):
        due_on_issue(Deadline(KIND_DATE), D(2020, 1, 1))
    with pytest.raises(ValueError):
        due_on_issue(Deadline("yearly"), D(2020, 1, 1))


def test_the_kinds_are_the_models_values():
    assert (deadlines.KIND_DATE, deadlines.KIND_WORKING_DAYS, deadlines.KIND_MONTHLY) == (
        "date",
        "working_days",
        "monthly",
    )
