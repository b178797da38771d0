"""Notifications: who is told of each step, in-app and by e-mail after commit; a failing mail
server never blocks or undoes the step."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from approvals import services
from approvals.models import Notification
from documents.models import Document

RAISED: list[str] = []


class BrokenSMTPBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        RAISED.append(email_messages[0].to[0])
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def recipients_of(kind: str, document: Document) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, document=document).values_list(
            "recipient__username", flat=True
        )
    )


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
    assert any("congan@" in m.to[0] for m in mail.outbox)


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
    assert not Notification.objects.filter(recipient=users.phogiamdoc, read_at=None).exists()
    # Nobody else sees it.
    other = Client()
    other.force_login(users.congan)
    assert "chờ anh/chị ký duyệt" not in other.get("/documents/thong-bao/").text
