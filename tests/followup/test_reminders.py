"""Reminders about assignments' deadlines and escalation of overdue ones
(documents.followup.reminders, manage.py send_reminders, documents.tasks).

The dates are frozen (``today`` passed in): a plan issued with two tasks, Văn phòng's due on
Tuesday 5/5/2020 (30/4 and 1/5 2020, Thursday and Friday, are public holidays, then a weekend:
three working days before it is Tuesday 28/4, a week ahead) and Phòng TTBCXB's due at the end
of the year.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import services
from approvals.models import Notification
from documents import services as documents
from documents.followup import reminders
from documents.followup.services import AssignmentSpec
from documents.models import (
    Assignment,
    Document,
    DocumentType,
    Event,
    Organization,
    Reminder,
    Unit,
)
from tests.conftest import FIXTURES, ISSUE_DATE, SEED_SUBJECT
from tests.test_production_lifecycle import manage
from tests.test_serve import reachable, scratch_installation

D = dt.date
DUE = D(2020, 5, 5)  # a Tuesday after 30/4, 1/5 and a weekend
TASK = "Tuyên truyền tại cơ quan"
OTHER_TASK = "Định hướng tuyên truyền đối với cơ quan báo chí"
NOTHING = {"before": 0, "due": 0, "overdue": 0, "escalation": 0}
REMINDER_KINDS = (Notification.Kind.TASK_REMINDER, Notification.Kind.TASK_OVERDUE)


def issue_plan(users, *specs: AssignmentSpec) -> Document:
    """A plan of Văn phòng with these assignments, signed by the Phó Giám đốc and issued."""
    plan = documents.document_create(
        actor=users["chuyenvien"],
        organization=Organization.objects.get(abbreviation="STTTT"),
        document_type=DocumentType.objects.get(abbreviation="KH"),
        subject="Kế hoạch thử nhắc hạn nhiệm vụ",
        body="Giao nhiệm vụ cho các đơn vị.",
        recipients=[documents.RecipientSpec("Lưu: VT", [Unit.objects.get(abbreviation="VT")])],
        assignments=specs,
    )
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(document=plan, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=plan, actor=users["vanthu"], issued_on=ISSUE_DATE)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def plan(users) -> Document:
    return issue_plan(
        users,
        AssignmentSpec(task=TASK, lead_unit=Unit.objects.get(abbreviation="VP"), due_on=DUE),
        AssignmentSpec(
            task=OTHER_TASK,
            lead_unit=Unit.objects.get(abbreviation="TTBCXB"),
            due_on=D(2020, 12, 31),
        ),
    )


def office_task(plan: Document) -> Assignment:
    return plan.assignments.get(task=TASK)


def unit_notifications(kind: str = "") -> list[tuple[str, str, str]]:
    """The reminders to units (not the issuance's own notice to the văn thư)."""
    rows = Notification.objects.filter(unit__isnull=False, kind__in=REMINDER_KINDS)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("pk").values_list("unit__abbreviation", "message", "url"))


def reminder_rows() -> list[tuple[str, str, dt.date]]:
    return sorted(Reminder.objects.values_list("assignment__task", "kind", "due_on"))


def test_the_plan_is_active_with_both_deadlines(plan):
    assert sorted(plan.assignments.values_list("status", "due_on")) == [
        (Assignment.Status.NOT_STARTED, DUE),
        (Assignment.Status.NOT_STARTED, D(2020, 12, 31)),
    ]
    assert settings.FOLLOWUP_REMIND_BEFORE_WORKING_DAYS == 3


def test_before_comes_three_working_days_ahead_counted_across_holidays_and_weekend(
    plan, django_capture_on_commit_callbacks
):
    assignment = office_task(plan)
    url = reverse("documents:assignment_detail", kwargs={"pk": assignment.pk})
    # Monday 27/4: four working days ahead (28/4, 29/4, 4/5, 5/5): not yet.
    assert reminders.send_due_reminders(today=D(2020, 4, 27)) == NOTHING
    assert reminder_rows() == []
    assert unit_notifications(Notification.Kind.TASK_REMINDER) == []

    # Tuesday 28/4: three working days ahead, though a week away.
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.send_due_reminders(today=D(2020, 4, 28))
    assert counts == {**NOTHING, "before": 1}
    assert reminder_rows() == [(TASK, Reminder.Kind.BEFORE, DUE)]
    message = (
        f"Nhiệm vụ của Văn phòng theo Kế hoạch {plan.notation} sắp đến hạn ngày 05/05/2020 "
        f"(còn 3 ngày làm việc): {TASK}"
    )
    assert unit_notifications(Notification.Kind.TASK_REMINDER) == [("VP", message, url)]
    # Every member of Văn phòng gets the e-mail, once the reminder has committed.
    assert sorted(address for m in mail.outbox if message in m.subject for address in m.to) == [
        "chanhvanphong@stttt.binhphuoc.gov.vn",
        "chuyenvien@stttt.binhphuoc.gov.vn",
    ]

    # Wednesday 29/4 and Monday 4/5: still within the window, already reminded.
    assert reminders.send_due_reminders(today=D(2020, 4, 29)) == NOTHING
    assert reminders.send_due_reminders(today=D(2020, 5, 4)) == NOTHING
    assert reminder_rows() == [(TASK, Reminder.Kind.BEFORE, DUE)]
    assert len(unit_notifications()) == 1


def test_the_window_follows_the_setting(plan, settings):
    settings.FOLLOWUP_REMIND_BEFORE_WORKING_DAYS = 1
    assert reminders.send_due_reminders(today=D(2020, 4, 28)) == NOTHING
    # Monday 4/5: one working day ahead.
    assert reminders.send_due_reminders(today=D(2020, 5, 4)) == {**NOTHING, "before": 1}
    assert "(còn 1 ngày làm việc)" in unit_notifications()[0][1]


def test_due_on_the_day(plan):
    assert reminders.send_due_reminders(today=DUE) == {**NOTHING, "due": 1}
    assert reminder_rows() == [(TASK, Reminder.Kind.DUE, DUE)]
    assert [message for _unit, message, _url in unit_notifications()] == [
        f"Nhiệm vụ của Văn phòng theo Kế hoạch {plan.notation} đến hạn ngày 05/05/2020: {TASK}"
    ]
    assert unit_notifications(Notification.Kind.TASK_REMINDER)[0][0] == "VP"
    assert reminders.send_due_reminders(today=DUE) == NOTHING
    assert len(unit_notifications()) == 1


def test_overdue_reminds_the_unit_and_escalates_to_its_head_and_the_signer_once(plan, users):
    assignment = office_task(plan)
    url = reverse("documents:assignment_detail", kwargs={"pk": assignment.pk})
    events_before = plan.events.count()
    # Thursday 7/5: two working days late (6/5, 7/5).
    today = D(2020, 5, 7)
    assert reminders.send_due_reminders(today=today) == {**NOTHING, "overdue": 1, "escalation": 1}

    late = (
        f"Nhiệm vụ của Văn phòng theo Kế hoạch {plan.notation} đã quá hạn 2 ngày làm việc "
        f"(hạn ngày 05/05/2020): {TASK}"
    )
    assert unit_notifications() == [("VP", late, url)]
    assert unit_notifications(Notification.Kind.TASK_OVERDUE) == [("VP", late, url)]
    people = Notification.objects.filter(recipient__isnull=False, kind="task_overdue")
    assert sorted(people.values_list("recipient__username", "message", "url")) == [
        ("chanhvanphong", f"Báo cáo lãnh đạo: {late}", url),  # the head of Văn phòng
        ("phogiamdoc", f"Báo cáo lãnh đạo: {late}", url),  # who signed the plan
    ]
    (event,) = plan.events.filter(kind=Event.Kind.TASK_OVERDUE)
    assert event.actor is None
    assert event.data == {
        "unit": "Văn phòng",
        "task": TASK,
        "due_on": "2020-05-05",
        "working_days_overdue": 2,
    }
    assert plan.events.count() == events_before + 1
    assert reminder_rows() == [
        (TASK, Reminder.Kind.ESCALATION, DUE),
        (TASK, Reminder.Kind.OVERDUE, DUE),
    ]

    # Again the same day, and the days after: nothing more.
    notifications = Notification.objects.count()
    for day in (today, D(2020, 5, 8), D(2020, 6, 1)):
        assert reminders.send_due_reminders(today=day) == NOTHING
    assert Notification.objects.count() == notifications
    assert plan.events.count() == events_before + 1
    assert Reminder.objects.count() == 2


def test_a_later_deadline_gets_reminders_of_its_own(plan):
    assignment = office_task(plan)
    reminders.send_due_reminders(today=D(2020, 5, 7))
    # A monthly task's next month (followup.services.review moves the deadline on).
    Assignment.objects.filter(pk=assignment.pk).update(due_on=D(2020, 6, 5))
    assert reminders.send_due_reminders(today=D(2020, 6, 5)) == {**NOTHING, "due": 1}
    assert reminders.send_due_reminders(today=D(2020, 6, 8)) == {
        **NOTHING,
        "overdue": 1,
        "escalation": 1,
    }
    assert reminder_rows() == [
        (TASK, Reminder.Kind.DUE, D(2020, 6, 5)),
        (TASK, Reminder.Kind.ESCALATION, DUE),
        (TASK, Reminder.Kind.ESCALATION, D(2020, 6, 5)),
        (TASK, Reminder.Kind.OVERDUE, DUE),
        (TASK, Reminder.Kind.OVERDUE, D(2020, 6, 5)),
    ]
    assert plan.events.filter(kind=Event.Kind.TASK_OVERDUE).count() == 2


def test_an_overdue_deadline_on_the_next_non_working_day_names_no_count(plan):
    # Friday 8/5 due, Saturday 9/5: late, but no working day has passed yet.
    Assignment.objects.filter(pk=office_task(plan).pk).update(due_on=D(2020, 5, 8))
    assert reminders.send_due_reminders(today=D(2020, 5, 9)) == {
        **NOTHING,
        "overdue": 1,
        "escalation": 1,
    }
    (message,) = [message for _unit, message, _url in unit_notifications()]
    assert message == (
        f"Nhiệm vụ của Văn phòng theo Kế hoạch {plan.notation} đã quá hạn ngày 08/05/2020: {TASK}"
    )
    assert plan.events.get(kind=Event.Kind.TASK_OVERDUE).data["working_days_overdue"] == 0


@pytest.mark.parametrize("status", [Assignment.Status.REPORTED, Assignment.Status.DONE])
def test_a_reported_or_done_assignment_gets_nothing(plan, status):
    Assignment.objects.filter(plan=plan).update(status=status)
    events = plan.events.count()
    # In the window before, on the day, and long after (the draft seed plan's four planned
    # assignments, due 31/12/2020, are late too by then: not active, nothing either).
    for day in (D(2020, 4, 28), DUE, D(2021, 3, 1)):
        assert reminders.send_due_reminders(today=day) == NOTHING
    assert Reminder.objects.count() == 0
    assert (
        Notification.objects.filter(kind__startswith="task_")
        .exclude(kind=Notification.Kind.TASK_ASSIGNED)
        .count()
        == 0
    )
    assert plan.events.count() == events


def test_the_queries_do_not_grow_with_the_assignments(users):
    vp, bc = Unit.objects.get(abbreviation="VP"), Unit.objects.get(abbreviation="TTBCXB")
    issue_plan(users, *[AssignmentSpec(task=f"Việc {n}", lead_unit=vp, due_on=DUE) for n in (1, 2)])
    with CaptureQueriesContext(connection) as two:
        assert reminders.send_due_reminders(today=D(2020, 5, 7))["escalation"] == 2
    issue_plan(
        users,
        *[AssignmentSpec(task=f"Việc {n}", lead_unit=bc, due_on=D(2020, 5, 6)) for n in range(4)],
    )
    with CaptureQueriesContext(connection) as four:
        assert reminders.send_due_reminders(today=D(2020, 5, 7))["escalation"] == 4
    # The same statements per assignment, plus the same few (the calendar, the read).
    fixed = 3
    assert (len(two) - fixed) / 2 == (len(four) - fixed) / 4, [
        q["sql"] for q in four.captured_queries
    ]
    # Nothing left to send: the assignments are not even read one by one.
    with CaptureQueriesContext(connection) as idle:
        assert reminders.send_due_reminders(today=D(2020, 5, 7)) == NOTHING
    assert len(idle) <= 2, [q["sql"] for q in idle.captured_queries]


# --- manage.py send_reminders ---------------------------------------------------------------


def test_the_command_sends_and_says_how_many(plan):
    out = io.StringIO()
    call_command("send_reminders", "--date", "07/05/2020", stdout=out)
    assert out.getvalue().strip() == (
        "Đã gửi nhắc hạn: 0 sắp đến hạn, 0 đến hạn, 1 quá hạn, 1 báo cáo lãnh đạo."
    )
    assert reminder_rows() == [
        (TASK, Reminder.Kind.ESCALATION, DUE),
        (TASK, Reminder.Kind.OVERDUE, DUE),
    ]
    out = io.StringIO()
    call_command("send_reminders", "--date", "07/05/2020", stdout=out)
    assert "0 quá hạn, 0 báo cáo lãnh đạo" in out.getvalue()


@pytest.mark.parametrize("value", ["2020-05-07", "31/02/2020", "hôm nay"])
def test_the_command_refuses_a_bad_date(plan, value):
    with pytest.raises(CommandError, match="cần dạng dd/mm/yyyy"):
        call_command("send_reminders", "--date", value, stdout=io.StringIO())
    assert Reminder.objects.count() == 0
    assert not Notification.objects.filter(kind=Notification.Kind.TASK_OVERDUE).exists()


def test_the_eager_task_sends_todays_reminders(plan):
    from documents import tasks

    # Today (the test's real date) is long after 2020: both tasks are late.
    tasks.send_assignment_reminders.delay()
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == [
        "escalation",
        "escalation",
        "overdue",
        "overdue",
    ]


def test_the_beat_runs_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["send-assignment-reminders"]
    assert entry["task"] == "documents.tasks.send_assignment_reminders"
    from config.celery import app

    app.loader.import_default_modules()
    assert "documents.tasks.send_assignment_reminders" in app.tasks


# --- two schedulers at once (PostgreSQL) ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_reminder_once(django_user_model, monkeypatch):
    call_command("loaddata", *FIXTURES, verbosity=0)
    users = {u.username: u for u in django_user_model.objects.all()}
    seed = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    services.document_submit(document=seed, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    services.document_decide(document=seed, actor=users["phogiamdoc"], decision="approve")
    services.document_issue(document=seed, actor=users["vanthu"], issued_on=ISSUE_DATE)
    assert seed.assignments.filter(status=Assignment.Status.NOT_STARTED).count() == 4

    # Both read the four late assignments before either claims a reminder: a real race.
    barrier = threading.Barrier(2)
    read = reminders._chunks

    def read_then_wait(queryset):
        rows = list(read(queryset))
        barrier.wait(timeout=10)
        return iter(rows)

    monkeypatch.setattr(reminders, "_chunks", read_then_wait)
    results: list[dict[str, int]] = []
    backends: set[int] = set()
    errors: list[BaseException] = []

    def scheduler():
        try:
            results.append(reminders.send_due_reminders(today=D(2021, 1, 5)))
            backends.add(connection.connection.info.backend_pid)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(backends) == 2  # two connections, two transactions
    assert {kind: sum(r[kind] for r in results) for kind in NOTHING} == {
        **NOTHING,
        "overdue": 4,
        "escalation": 4,
    }
    assert Reminder.objects.filter(kind=Reminder.Kind.OVERDUE).count() == 4
    assert Reminder.objects.filter(kind=Reminder.Kind.ESCALATION).count() == 4
    # One per unit and task (Văn phòng leads two), one per person and task, one event each.
    assert sorted(
        Notification.objects.filter(unit__isnull=False, kind="task_overdue").values_list(
            "unit__abbreviation", flat=True
        )
    ) == ["BCVTCNTT", "TTBCXB", "VP", "VP"]
    people = Notification.objects.filter(recipient__isnull=False, kind="task_overdue")
    assert sorted(people.values_list("recipient__username", flat=True)) == sorted(
        ["bcvtcntt", "chanhvanphong", "chanhvanphong", "ttbcxb"] + ["phogiamdoc"] * 4
    )
    assert seed.events.filter(kind=Event.Kind.TASK_OVERDUE).count() == 4


# --- the task on a real worker, through Redis -----------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/7"
BASE = Path(settings.BASE_DIR)
WORKER_DEADLINE = 120  # seconds; a safety net against a hung worker, never a speed assertion


def shell(env: dict[str, str], code: str) -> str:
    """Run Python in `manage.py shell` on the scratch database; the last line it printed."""
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


# The seed plan's four tasks (due 31/12/2020) made active, as its issuance would.
ACTIVATE = (
    "from documents.models import Assignment; "
    "print(Assignment.objects.update(status='not_started'))"
)
ENQUEUE = (
    "from documents.tasks import send_assignment_reminders; "
    "print(send_assignment_reminders.delay().id)"
)
WRITTEN = (
    "from documents.models import Reminder; "
    "print(sorted(Reminder.objects.values_list('kind', flat=True)))"
)


@pytest.mark.once  # its own scratch PostgreSQL database and Redis db 7, whatever the pass
@pytest.mark.slow
def test_a_worker_sends_the_reminders_from_redis(tmp_path):
    reason = reachable(REDIS_URL)
    if reason:
        pytest.skip(reason)
    with scratch_installation(tmp_path, prefix="vanthu_rem", redis_url=REDIS_URL) as env:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "loaddata", *FIXTURES, "-v0")
        assert shell(env, ACTIVATE) == "4"
        # Enqueued first, no worker yet: the job waits in Redis.
        shell(env, ENQUEUE)
        with redis.Redis.from_url(REDIS_URL) as broker:
            assert broker.llen("celery") == 1
        assert shell(env, WRITTEN) == "[]"

        log = (tmp_path / "worker.log").open("wb")
        worker = subprocess.Popen(  # noqa: S603
            [
                str(BASE / ".venv/bin/celery"),
                "--app",
                "config",
                "worker",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=BASE,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + WORKER_DEADLINE
            written = "[]"
            while time.monotonic() < deadline:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-4000:]
                written = shell(env, WRITTEN)
                if written != "[]":
                    break
                time.sleep(1)
            assert written == str(["escalation"] * 4 + ["overdue"] * 4), (
                tmp_path / "worker.log"
            ).read_text()[-4000:]
            text = (tmp_path / "worker.log").read_text()
            assert "send_assignment_reminders" in text and "succeeded" in text, text[-4000:]
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
            log.close()
