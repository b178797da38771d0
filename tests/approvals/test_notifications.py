"""Notifications: who is told of each step, in-app and by e-mail after commit; a failing mail
server never blocks or undoes the step."""

from __future__ import annotations

import re
import smtplib

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.test import Client

from approvals import notifications, selectors, services
from approvals.models import Notification
from documents.models import Document

RAISED: list[str] = []


class BrokenSMTPBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        RAISED.append(email_messages[0].to[0])
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def recipients_of(kind: str, document: Document) -> set[str]:
    """Who finds a notification of this kind about the document in their list."""
    return {
        user.username
        for user in User.objects.all()
        if any(
            n.kind == kind and n.document_id == document.pk
            for n in selectors.notification_list_for(user)
        )
    }


def test_submission_tells_the_signer_in_app_and_by_mail_after_commit(
    seed_plan, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
    assert recipients_of(Notification.Kind.ASSIGNED, seed_plan) == {"phogiamdoc"}
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["phogiamdoc@stttt.binhphuoc.gov.vn"]]
    assert "chờ anh/chị ký duyệt" in mail.outbox[0].subject
    assert f"/documents/van-ban/{seed_plan.pk}/" in mail.outbox[0].body


def test_return_and_rejection_tell_the_drafter_with_the_comment(
    seed_plan, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
        services.document_decide(
            document=seed_plan,
            actor=users.phogiamdoc,
            decision="return",
            comment="Bổ sung thời gian.",
        )
    returned = Notification.objects.get(kind=Notification.Kind.RETURNED)
    assert returned.recipient == users.chuyenvien
    assert "Bổ sung thời gian." in returned.message
    assert any("chuyenvien@" in m.to[0] and "trả lại" in m.subject for m in mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
        services.document_decide(
            document=seed_plan, actor=users.phogiamdoc, decision="reject", comment="Trùng nội dung."
        )
    rejected = Notification.objects.get(kind=Notification.Kind.REJECTED)
    assert rejected.recipient == users.chuyenvien
    assert "Trùng nội dung." in rejected.message


def test_sign_off_tells_the_clerks_and_issue_tells_every_recipient_unit(
    seed_plan, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
        services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    assert "vanthu" in recipients_of(Notification.Kind.ASSIGNED, seed_plan)
    assert recipients_of(Notification.Kind.SIGNED_OFF, seed_plan) == {"chuyenvien"}

    with django_capture_on_commit_callbacks(execute=True):
        services.document_issue(document=seed_plan, actor=users.vanthu)
    assert recipients_of(Notification.Kind.ISSUED, seed_plan) == {"chuyenvien", "phogiamdoc"}
    distributed = recipients_of(Notification.Kind.DISTRIBUTED, seed_plan)
    # Every member of each recipient unit (Văn phòng has two), none outside them.
    assert {
        "congan",
        "chanhvanphong",
        "chuyenvien",
        "ttbcxb",
        "bcvtcntt",
        "trungtam",
        "vanthu",
    } == distributed
    assert "bantatgt" not in distributed
    # One row per recipient unit, not one per member; every member is mailed once.
    rows = Notification.objects.filter(kind=Notification.Kind.DISTRIBUTED, document=seed_plan)
    assert rows.count() == seed_plan.receipts.count()
    assert not rows.filter(recipient__isnull=False).exists()
    mailed = [m.to[0].split("@")[0] for m in mail.outbox if "đề nghị xác nhận" in m.subject]
    assert sorted(mailed) == sorted(distributed)


def test_archiving_tells_the_drafter(seed_plan, users, django_capture_on_commit_callbacks):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=seed_plan, actor=users.vanthu)
    for receipt in seed_plan.receipts.select_related("unit"):
        services.receipt_acknowledge(receipt=receipt, actor=receipt.unit.receiver)
    assert recipients_of(Notification.Kind.ARCHIVED, seed_plan) == {"chuyenvien"}


def test_a_failing_mail_server_neither_blocks_nor_undoes_the_step(
    seed_plan, users, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTPBackend"
    RAISED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
    assert RAISED == ["phogiamdoc@stttt.binhphuoc.gov.vn"]  # the backend really raised
    seed_plan.refresh_from_db()
    assert seed_plan.status == Document.Status.SUBMITTED
    assert recipients_of(Notification.Kind.ASSIGNED, seed_plan) == {"phogiamdoc"}
    assert "Không gửi được thư thông báo" in caplog.text

    # The next step goes on through the UI, the broken server still failing.
    client = Client()
    client.force_login(users.phogiamdoc)
    url = f"/documents/van-ban/{seed_plan.pk}/ky-duyet/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    seed_plan.refresh_from_db()
    assert seed_plan.status == Document.Status.SIGNED


def test_a_refused_step_leaves_no_notification(seed_plan, users):
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        services.document_submit(document=seed_plan, actor=users.congan, signer=users.phogiamdoc)
    assert not Notification.objects.exists()


def test_notification_page_lists_and_marks_read(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    client = Client()
    client.force_login(users.phogiamdoc)
    home = client.get("/documents/")
    assert "Thông báo mới nhất" in home.text
    response = client.get("/documents/thong-bao/")
    assert response.status_code == 200
    assert "chờ anh/chị ký duyệt" in response.text
    assert selectors.notification_unread_count(users.phogiamdoc) == 0
    # Nobody else sees it.
    other = Client()
    other.force_login(users.congan)
    assert "chờ anh/chị ký duyệt" not in other.get("/documents/thong-bao/").text


# --- one row per unit event, read by each member on their own -------------------------


def test_each_member_of_a_unit_reads_its_notification_on_their_own(issued, users):
    # Văn phòng (chanhvanphong, chuyenvien) received the plan: one row for the unit.
    row = Notification.objects.get(
        kind=Notification.Kind.DISTRIBUTED, document=issued, unit__abbreviation="VP"
    )
    unread_before = {
        name: selectors.notification_unread_count(users[name])
        for name in ("chanhvanphong", "chuyenvien", "congan")
    }
    assert all(count >= 1 for count in unread_before.values())

    chief = Client()
    chief.force_login(users.chanhvanphong)
    page = chief.get("/documents/thong-bao/").text
    assert "đề nghị xác nhận đã nhận" in page
    assert 'class="vt-unread"' in page  # shown unread on this visit, read from now on
    assert selectors.notification_unread_count(users.chanhvanphong) == 0
    assert 'class="vt-unread"' not in chief.get("/documents/thong-bao/").text

    # Their colleague of the same unit and another unit's receiver have read nothing.
    assert selectors.notification_unread_count(users.chuyenvien) == unread_before["chuyenvien"]
    assert selectors.notification_unread_count(users.congan) == unread_before["congan"]
    assert row.pk in [n.pk for n in selectors.notification_list_for(users.chuyenvien) if n.unread]
    notifications.mark_read(user=users.chuyenvien, ids=[row.pk])
    assert row.pk not in [
        n.pk for n in selectors.notification_list_for(users.chuyenvien) if n.unread
    ]
    assert Notification.objects.filter(kind=Notification.Kind.DISTRIBUTED).count() == (
        issued.receipts.count()
    )


def test_a_person_cannot_mark_someone_elses_notification_read(issued, users):
    row = Notification.objects.get(
        kind=Notification.Kind.DISTRIBUTED, document=issued, unit__abbreviation="CA"
    )
    before = selectors.notification_unread_count(users.bantatgt)
    notifications.mark_read(user=users.bantatgt, ids=[row.pk])  # not theirs: nothing moves
    assert selectors.notification_read_up_to(users.bantatgt) == 0
    assert selectors.notification_unread_count(users.bantatgt) == before


def test_the_list_is_newest_first_across_the_person_and_their_units(issued, users):
    listed = list(selectors.notification_list_for(users.chuyenvien))
    assert [n.pk for n in listed] == sorted((n.pk for n in listed), reverse=True)
    kinds = {n.kind for n in listed}
    # Their own (signed off, issued) and their unit's (distributed).
    assert {Notification.Kind.SIGNED_OFF, Notification.Kind.DISTRIBUTED} <= kinds


def test_the_menu_counts_unread_up_to_99_plus(seed_plan, users, client_for):
    Notification.objects.bulk_create(
        Notification(
            recipient=users.congan,
            document=seed_plan,
            kind=Notification.Kind.ASSIGNED,
            message=f"Thông báo {i}",
        )
        for i in range(120)
    )
    assert selectors.notification_unread_count(users.congan) == 100  # counting stops there
    page = client_for("congan").get("/documents/van-ban/").text
    assert re.search(r"Thông báo</span>\s*<span class=\"mdc-list-item__meta\">99\+</span>", page)
    client_for("congan").get("/documents/thong-bao/")  # the newest 30 read, so all older
    assert selectors.notification_unread_count(users.congan) == 0


def test_a_notification_has_exactly_one_audience(seed_plan, users):
    unit = users.congan.groups.get().unit
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=users.congan, unit=unit, document=seed_plan, kind="issued", message="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(document=seed_plan, kind="issued", message="x")
    assert not Notification.objects.exists()


# --- the migration: existing rows stay readable, read state kept -------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_per_member_rows_into_unit_rows_and_keeps_what_was_unread():
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("approvals", "0002_notification")]
    after = [("approvals", "0005_notification_one_audience")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    OldUser = old.get_model("auth", "User")
    Document = old.get_model("documents", "Document")
    Receipt = old.get_model("documents", "Receipt")
    Unit = old.get_model("documents", "Unit")
    Notification = old.get_model("approvals", "Notification")
    document = Document.objects.filter(origin="outgoing").first()
    units = list(Unit.objects.filter(abbreviation__in=("CA", "VP")).order_by("pk"))
    for unit in units:
        Receipt.objects.create(document=document, unit=unit)
    members = list(OldUser.objects.filter(groups__unit__in=units).distinct().order_by("pk"))
    assert len(members) >= 3
    read, unread = members[0], members[1]
    own = Notification.objects.create(
        recipient=read, document=document, kind="issued", message="Đã ban hành", read_at=None
    )
    rows = [
        Notification.objects.create(
            recipient=member,
            document=document,
            kind="distributed",
            message="Đơn vị nhận được văn bản",
            read_at=None if member == unread else "2026-01-01T00:00:00Z",
        )
        for member in members
    ]
    MigrationExecutor(connection).migrate(after)

    from approvals.models import Notification as New

    distributed = New.objects.filter(kind="distributed")
    assert sorted(distributed.values_list("unit_id", flat=True)) == [u.pk for u in units]
    assert set(distributed.values_list("pk", flat=True)) <= {row.pk for row in rows}
    assert New.objects.get(pk=own.pk).recipient_id == read.pk  # a person's own row stays
    fresh_read = User.objects.get(pk=read.pk)
    fresh_unread = User.objects.get(pk=unread.pk)
    assert own.pk in [n.pk for n in selectors.notification_list_for(fresh_read) if n.unread]
    theirs = selectors.notification_list_for(fresh_unread)
    assert any(n.unread for n in theirs if n.kind == "distributed")  # still unread


def test_the_list_pages_merge_the_person_and_their_units_newest_first(seed_plan, users):
    unit = users.chanhvanphong.profile.unit
    for i in range(20):  # interleaved: one to the person, one to their unit
        Notification.objects.create(
            recipient=users.chuyenvien, document=seed_plan, kind="issued", message=f"P{i}"
        )
        Notification.objects.create(unit=unit, document=seed_plan, kind="issued", message=f"U{i}")
    Notification.objects.create(
        recipient=users.congan, document=seed_plan, kind="issued", message="not theirs"
    )
    feed = selectors.notification_list_for(users.chuyenvien)
    everything = [n.message for n in feed]
    assert len(feed) == 40 and "not theirs" not in everything
    assert everything[:4] == ["U19", "P19", "U18", "P18"]
    assert [n.message for n in feed[30:40]] == everything[30:40]
    client = Client()
    client.force_login(users.chuyenvien)
    page_two = client.get("/documents/thong-bao/?page=2").text
    assert "U4" in page_two and "P0" in page_two and "U19" not in page_two


def test_a_person_without_notifications_sees_an_empty_list(users):
    client = Client()
    client.force_login(users.bantatgt)
    assert "Chưa có thông báo nào." in client.get("/documents/thong-bao/").text
    assert selectors.notification_unread_count(users.bantatgt) == 0


def test_a_mail_server_down_is_tried_again_later_by_the_worker(settings):
    """On a worker (not in-process), a failing mail server makes the job try again later,
    with back-off, instead of dropping the message."""
    from celery.exceptions import Retry

    from approvals import tasks

    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTPBackend"
    RAISED.clear()
    task = tasks.send_notification_email
    args = ["congan@stttt.binhphuoc.gov.vn", "Văn bản đã ban hành", "http://x/"]
    task.push_request(
        is_eager=False, retries=2, called_directly=False, id="mail-1", args=args, kwargs={}
    )
    try:
        with pytest.raises(Retry) as retried:
            task.run(*args)
    finally:
        task.pop_request()
    assert RAISED[0] == "congan@stttt.binhphuoc.gov.vn"  # the server really refused it
    assert retried.value.when == 120  # the third try waits two minutes
