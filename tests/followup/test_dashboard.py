"""The follow-up dashboard ("Theo dõi thực hiện"): who sees which units, the figures, the
chart, the XLSX export, the printable page, and a query count that does not grow."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from approvals import services
from approvals.ui.dashboard import Scope, workbook
from documents import services as documents
from documents import workdays
from documents.dates import vn_place_date
from documents.followup import dashboard as figures
from documents.followup.services import AssignmentSpec
from documents.models import Assignment, CalendarChange, Document, Unit
from tests.conftest import ISSUE_DATE

# Re-read before every test (the autouse fixture below): a module-level date goes
# stale when a run crosses midnight in the agency's time zone.
TODAY = timezone.localdate()
URL = reverse("documents:followup_dashboard")
XLSX_URL = reverse("documents:followup_xlsx")
PRINT_URL = reverse("documents:followup_print")
S = Assignment.Status


@pytest.fixture(autouse=True)
def _today() -> None:
    global TODAY
    TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def units() -> dict[str, Unit]:
    return {unit.abbreviation: unit for unit in Unit.objects.all()}


def draft(users, seed_plan, subject: str, specs: list[AssignmentSpec]) -> Document:
    return documents.document_create(
        actor=users.chuyenvien,
        organization=seed_plan.organization,
        document_type=seed_plan.document_type,
        subject=subject,
        body=seed_plan.body,
        recipients=[
            documents.RecipientSpec(line.text, list(line.units.all()))
            for line in seed_plan.recipient_lines.all()
        ],
        assignments=specs,
    )


def issue(users, document: Document) -> Document:
    """Through the workflow: submitted, approved, issued (the assignments start)."""
    services.document_submit(document=document, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=document, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=document, actor=users.vanthu, issued_on=ISSUE_DATE)
    document.refresh_from_db()
    assert document.status == Document.Status.ISSUED
    return document


def set_row(plan: Document, position: int, **fields) -> None:
    Assignment.objects.filter(plan=plan, position=position).update(**fields)


@pytest.fixture
def plans(users, seed_plan):
    """Plan A (drafted by Văn phòng) with six assignments in every state, plan B with two;
    both issued through the services, then the units' progress set directly."""
    u = units()
    plan_a = issue(
        users,
        draft(
            users,
            seed_plan,
            "Kế hoạch A",
            [
                AssignmentSpec("A1 Văn phòng quá hạn", u["VP"], due_on=days(-10)),
                AssignmentSpec("A2 TTBCXB đang làm", u["TTBCXB"], due_on=days(10)),
                AssignmentSpec("A3 TTBCXB đúng hạn", u["TTBCXB"], due_on=days(-5)),
                AssignmentSpec("A4 BCVTCNTT trễ hạn", u["BCVTCNTT"], due_on=days(-20)),
                AssignmentSpec("A5 TTBCXB quá hạn", u["TTBCXB"], [u["BCVTCNTT"]], due_on=days(-3)),
                AssignmentSpec("A6 Trung tâm chưa làm", u["TTCNTT"], due_on=days(30)),
            ],
        ),
    )
    set_row(plan_a, 1, status=S.IN_PROGRESS)
    set_row(plan_a, 2, status=S.REPORTED, reported_on=days(-7))
    set_row(plan_a, 3, status=S.DONE, reported_on=days(-15), completed_on=days(-14))
    plan_b = issue(
        users,
        draft(
            users,
            seed_plan,
            "Kế hoạch B",
            [
                AssignmentSpec("B1 Văn phòng quá hạn", u["VP"], due_on=days(-1)),
                AssignmentSpec("B2 BCVTCNTT hoàn thành", u["BCVTCNTT"], due_on=days(-2)),
            ],
        ),
    )
    set_row(plan_b, 1, status=S.DONE, reported_on=days(-2), completed_on=days(-1))
    return plan_a, plan_b


def client_for(users, username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(users[username])
    return client


def summary(response) -> dict[str, dict[str, int]]:
    """The per-unit table as {unit: {count: n}}, read from the page."""
    html = response.content.decode()
    rows = re.findall(r'<tr data-testid="summary-row" data-unit="([^"]+)">(.*?)</tr>', html, re.S)
    return {
        unit: {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', cells)}
        for unit, cells in rows
    }


def listed_tasks(response) -> list[str]:
    return [row["assignment"].task for row in response.context["rows"]]


VP = "Văn phòng"
TTBCXB = "Phòng Thông tin - Báo chí - Xuất bản"
BCVTCNTT = "Phòng Bưu chính - Viễn thông - Công nghệ thông tin"
TTCNTT = "Trung tâm Công nghệ thông tin và Truyền thông"


# --- who sees what ------------------------------------------------------------------------


def test_leader_sees_every_unit_with_the_right_counts(plans, users):
    response = client_for(users, "giamdoc").get(URL)
    assert response.status_code == 200
    table = summary(response)
    assert set(table) == {VP, TTBCXB, BCVTCNTT, TTCNTT}
    zero = dict.fromkeys(figures.COUNTED, 0)
    assert table[VP] == {**zero, "overdue": 2, "total": 2}
    assert table[TTBCXB] == {
        **zero,
        "in_progress": 1,
        "reported": 1,
        "overdue": 1,
        "on_time": 1,
        "total": 3,
    }
    assert table[BCVTCNTT] == {**zero, "done": 2, "on_time": 1, "late": 1, "total": 2}
    assert table[TTCNTT] == {**zero, "not_started": 1, "total": 1}
    total = response.context["total"]
    assert (total.overdue, total.on_time, total.late, total.total) == (3, 2, 1, 8)
    # The list: every assignment, by deadline, with its state as shown.
    assert listed_tasks(response) == [
        "A4 BCVTCNTT trễ hạn",
        "A1 Văn phòng quá hạn",
        "A3 TTBCXB đúng hạn",
        "A5 TTBCXB quá hạn",
        "B2 BCVTCNTT hoàn thành",
        "B1 Văn phòng quá hạn",
        "A2 TTBCXB đang làm",
        "A6 Trung tâm chưa làm",
    ]
    labels = {row["assignment"].task: row["state_label"] for row in response.context["rows"]}
    assert labels["A1 Văn phòng quá hạn"] == "Quá hạn"
    assert labels["A2 TTBCXB đang làm"] == "Đang thực hiện"
    assert labels["A4 BCVTCNTT trễ hạn"] == "Hoàn thành"
    assert "Trễ hạn" in response.content.decode()


def test_follow_up_unit_sees_every_unit_of_its_plan(plans, users):
    plan_a, _plan_b = plans
    response = client_for(users, "chanhvanphong").get(URL, {"plan": plan_a.pk})
    assert response.status_code == 200
    assert set(summary(response)) == {VP, TTBCXB, BCVTCNTT, TTCNTT}
    assert len(listed_tasks(response)) == 6
    # Its plan select offers both plans (it drafted both).
    assert set(response.context["form"].fields["plan"].queryset) == set(plans)


def test_other_unit_sees_only_its_own_rows(plans, users):
    plan_a, plan_b = plans
    client = client_for(users, "ttbcxb")
    response = client.get(URL)
    assert response.status_code == 200
    assert set(summary(response)) == {TTBCXB}
    assert sorted(listed_tasks(response)) == [
        "A2 TTBCXB đang làm",
        "A3 TTBCXB đúng hạn",
        "A5 TTBCXB quá hạn",
    ]
    assert list(response.context["form"].fields["plan"].queryset) == [plan_a]
    # Plan B assigns nothing to the unit: not found, like a plan that does not exist.
    assert client.get(URL, {"plan": plan_b.pk}).status_code == 404
    assert client.get(XLSX_URL, {"plan": plan_b.pk}).status_code == 404
    assert client.get(PRINT_URL, {"plan": plan_b.pk}).status_code == 404


def test_supporting_unit_sees_the_rows_it_supports(plans, users):
    """BCVTCNTT supports A5 (led by TTBCXB): the selectors' rule shows it that row too."""
    response = client_for(users, "bcvtcntt").get(URL)
    assert set(summary(response)) == {BCVTCNTT, TTBCXB}
    assert summary(response)[TTBCXB]["total"] == 1


@pytest.mark.parametrize("username", ["vanthu", "congan", "bantatgt", "quantri"])
@pytest.mark.parametrize("url", [URL, XLSX_URL, PRINT_URL])
def test_those_who_follow_nothing_up_are_refused(plans, users, username, url):
    response = client_for(users, username).get(url)
    assert response.status_code == 403
    assert "Theo dõi thực hiện dành cho lãnh đạo" in response.content.decode()


@pytest.mark.parametrize("url", [URL, XLSX_URL, PRINT_URL])
def test_anonymous_goes_to_the_login_page(demo, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unit_members_see_an_empty_dashboard_before_any_plan(demo, users):
    response = client_for(users, "trungtam").get(URL)
    assert response.status_code == 200
    assert summary(response) == {}
    assert "Chưa có nhiệm vụ nào trong phạm vi này." in response.content.decode()


def test_menu_entry_only_for_those_who_may_open_it(demo, users):
    home = reverse("documents:index")
    assert 'data-testid="menu-followup"' in client_for(users, "ttbcxb").get(home).content.decode()
    assert 'data-testid="menu-followup"' in client_for(users, "giamdoc").get(home).content.decode()
    for username in ("vanthu", "congan"):
        page = client_for(users, username).get(home).content.decode()
        assert 'data-testid="menu-followup"' not in page


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"plan": "abc"}, 400),
        ({"plan": "1.5"}, 400),
        ({"plan": "٣"}, 400),
        ({"unit": "x"}, 400),
        ({"plan": "999999"}, 404),
        ({"plan": "99999999999999999999999"}, 404),
        ({"unit": "999999"}, 400),
        ({"page": "zzz"}, 200),
        ({"page": "999"}, 200),
    ],
)
def test_bad_filters_never_500(plans, users, params, status):
    client = client_for(users, "giamdoc")
    response = client.get(URL, params)
    assert response.status_code == status
    if status == 400:
        assert 'data-testid="filter-error"' in response.content.decode()
        assert client.get(XLSX_URL, params).status_code == 400
        assert client.get(PRINT_URL, params).status_code == 400


def test_unit_filter(plans, users):
    plan_a, _ = plans
    vp = Unit.objects.get(abbreviation="VP")
    response = client_for(users, "giamdoc").get(URL, {"unit": vp.pk})
    assert set(summary(response)) == {VP}
    assert sorted(listed_tasks(response)) == ["A1 Văn phòng quá hạn", "B1 Văn phòng quá hạn"]
    response = client_for(users, "giamdoc").get(URL, {"unit": vp.pk, "plan": plan_a.pk})
    assert listed_tasks(response) == ["A1 Văn phòng quá hạn"]
    assert f"?plan={plan_a.pk}&amp;unit={vp.pk}" in response.content.decode()  # export links


# --- overdue, working days, chart ---------------------------------------------------------


def test_overdue_list_counts_working_days(plans, users):
    response = client_for(users, "giamdoc").get(URL)
    overdue = response.context["overdue"]
    assert [row.assignment.task for row in overdue] == [
        "A1 Văn phòng quá hạn",
        "A5 TTBCXB quá hạn",
        "B1 Văn phòng quá hạn",
    ]
    for row in overdue:
        assert row.working_days == workdays.working_days_between(row.assignment.due_on, TODAY)
    html = response.content.decode()
    detail = reverse("documents:assignment_detail", args=[overdue[0].assignment.pk])
    assert f'href="{detail}"' in html
    assert days(-10).strftime("%d/%m/%Y") in html
    assert plans[0].notation in html


def test_working_days_from_one_read_match_workdays(db, django_assert_num_queries):
    CalendarChange.objects.create(
        day=dt.date(2020, 2, 1), kind=CalendarChange.Kind.WORKING_DAY, reason="Làm bù"
    )
    CalendarChange.objects.create(
        day=dt.date(2020, 1, 31), kind=CalendarChange.Kind.DAY_OFF, reason="Nghỉ bù"
    )
    end = dt.date(2020, 3, 15)
    with django_assert_num_queries(1):
        counter = figures.WorkingDays(dt.date(2019, 12, 20), end)
    for offset in range(0, 86, 3):
        start = dt.date(2019, 12, 20) + dt.timedelta(days=offset)
        assert counter.since(start) == workdays.working_days_between(start, end), start
    assert counter.since(end) == 0
    assert counter.since(end + dt.timedelta(days=4)) == 0
    earlier = dt.date(2019, 11, 1)  # before the range read: asked of the calendar
    assert counter.since(earlier) == workdays.working_days_between(earlier, end)


def test_chart_svg_has_one_bar_per_unit_with_its_numbers(plans, users):
    html = client_for(users, "giamdoc").get(URL).content.decode()
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svg is not None
    svg_html = svg.group(0)
    assert 'role="img"' in svg_html
    assert "<title id=" in svg_html and "đúng hạn / trễ hạn / quá hạn" in svg_html
    bars = re.findall(
        r'data-testid="chart-bar" data-unit="([^"]+)" data-on-time="(\d+)" '
        r'data-late="(\d+)" data-overdue="(\d+)"',
        svg_html,
    )
    assert {unit: tuple(map(int, n)) for unit, *n in bars} == {
        BCVTCNTT: (1, 1, 0),
        TTCNTT: (0, 0, 0),
        TTBCXB: (1, 0, 1),
        VP: (0, 0, 2),
    }
    assert f"{VP}: 0 đúng hạn, 0 trễ hạn, 2 quá hạn." in svg_html  # the description
    assert re.search(r'class="vt-fu-bar__overdue" data-series="overdue"', svg_html)
    assert "0 / 0 / 2" in svg_html
    # The longest bar (two) fills the area; no comma decimals in the geometry.
    widths = re.findall(r'data-series="\w+" x="[\d.]+" y="\d+" width="([\d.]+)"', svg_html)
    assert max(map(float, widths)) == figures.Chart.BAR_AREA
    assert "<script" not in html.split('data-testid="followup-chart"')[1].split("</figure>")[0]


# --- export and print ---------------------------------------------------------------------


def test_xlsx_holds_the_rows_headings_and_summary(plans, users):
    response = client_for(users, "giamdoc").get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    filename = f"theo-doi-thuc-hien-{TODAY:%Y-%m-%d}.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp theo đơn vị", "Nhiệm vụ"]
    sheet = book["Nhiệm vụ"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "STT",
        "Kế hoạch",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời hạn",
        "Trạng thái",
        "Ngày báo cáo",
        "Đúng hạn/Trễ hạn",
        "Số ngày làm việc quá hạn",
    ]
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width == 60
    body = {row[2]: row for row in rows[1:]}
    assert len(body) == 8 and [row[0] for row in rows[1:]] == list(range(1, 9))
    a5 = body["A5 TTBCXB quá hạn"]
    assert a5[1] == plans[0].notation
    assert a5[3] == TTBCXB and a5[4] == BCVTCNTT
    assert a5[5].date() == days(-3)
    assert a5[6] == "Quá hạn" and a5[8] == "Quá hạn"
    assert a5[9] == workdays.working_days_between(days(-3), TODAY)
    a4 = body["A4 BCVTCNTT trễ hạn"]
    assert (a4[6], a4[7].date(), a4[8], a4[9]) == ("Hoàn thành", days(-15), "Trễ hạn", None)
    assert body["A3 TTBCXB đúng hạn"][8] == "Đúng hạn"
    date_cell = sheet.cell(row=2, column=6)
    assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy"

    totals = {row[0]: row for row in book["Tổng hợp theo đơn vị"].iter_rows(values_only=True)}
    assert totals[VP][1:] == (0, 0, 0, 0, 2, 0, 0, 2)
    assert totals["Tổng cộng"][1:] == (1, 1, 1, 2, 3, 2, 1, 8)


def test_xlsx_follows_the_filters_and_the_visibility(plans, users):
    response = client_for(users, "ttbcxb").get(XLSX_URL)
    rows = list(load_workbook(io.BytesIO(response.content))["Nhiệm vụ"].iter_rows(values_only=True))
    assert sorted(row[2] for row in rows[1:]) == [
        "A2 TTBCXB đang làm",
        "A3 TTBCXB đúng hạn",
        "A5 TTBCXB quá hạn",
    ]


def test_xlsx_says_when_it_is_capped(plans, users):
    user = users.giamdoc
    scope = Scope(
        form=None,  # type: ignore[arg-type]
        plan=None,
        unit=None,
        today=TODAY,
        assignments=figures.scoped(user, today=TODAY),
    )
    book = load_workbook(io.BytesIO(workbook(scope, cap=3)))
    rows = list(book["Nhiệm vụ"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:4]] == [1, 2, 3]
    assert rows[-1][0].startswith("Chỉ xuất 3 nhiệm vụ đầu tiên")


def test_print_page(plans, users):
    response = client_for(users, "chanhvanphong").get(PRINT_URL, {"plan": plans[0].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert vn_place_date("Bình Phước", TODAY) in html
    assert re.search(r"Bình Phước, ngày \d{2} tháng \d{1,2} năm \d{4}", html)
    assert "Sở Thông tin và Truyền thông" in html and "UBND tỉnh Bình Phước" in html
    assert "@media print" in html
    assert "vf-page__menu" not in html  # no menu
    assert 'data-testid="followup-summary"' in html and 'role="img"' in html
    assert f"Kế hoạch số {plans[0].notation}" in html
    assert set(summary(response)) == {VP, TTBCXB, BCVTCNTT, TTCNTT}


# --- cost ---------------------------------------------------------------------------------


def bulk_plans(users, seed_plan, count: int, per_plan: int) -> list[Document]:
    """Issued plans with assignments in every state, written directly (pure figures)."""
    u = units()
    leads = [u["VP"], u["TTBCXB"], u["BCVTCNTT"], u["TTCNTT"]]
    made = []
    for index in range(count):
        specs = [
            AssignmentSpec(
                f"Nhiệm vụ {index}-{n}",
                leads[n % 4],
                [leads[(n + 1) % 4]],
                due_on=days(n % 9 - 4),
            )
            for n in range(per_plan)
        ]
        plan = draft(users, seed_plan, f"Kế hoạch {index}", specs)
        Document.objects.filter(pk=plan.pk).update(
            status=Document.Status.ISSUED, notation=f"{index + 1}/KH-STTTT", issued_on=TODAY
        )
        Assignment.objects.filter(plan=plan).update(status=S.NOT_STARTED)
        Assignment.objects.filter(plan=plan, position__in=range(1, per_plan, 3)).update(
            status=S.REPORTED, reported_on=days(-3)
        )
        Assignment.objects.filter(plan=plan, position__in=range(2, per_plan, 5)).update(
            status=S.DONE, reported_on=days(2), completed_on=days(3)
        )
        made.append(plan)
    return made


def count_queries(client: Client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["giamdoc", "chanhvanphong", "ttbcxb"])
def test_query_count_does_not_grow_with_plans_and_assignments(users, seed_plan, username):
    small = bulk_plans(users, seed_plan, 1, 4)
    client = client_for(users, username)
    client.get(URL)  # the session and caches of a first request
    before = {
        "all": count_queries(client, URL, {}),
        "plan": count_queries(client, URL, {"plan": small[0].pk}),
        "print": count_queries(client, PRINT_URL, {}),
    }
    big = bulk_plans(users, seed_plan, 5, 40)  # five more plans of forty assignments
    assert Assignment.objects.exclude(status=S.PLANNED).count() == 4 + 5 * 40
    after = {
        "all": count_queries(client, URL, {}),
        "plan": count_queries(client, URL, {"plan": big[0].pk}),
        "print": count_queries(client, PRINT_URL, {}),
    }
    assert after == before
    print(f"\nfollow-up dashboard queries ({username}): {after}")
