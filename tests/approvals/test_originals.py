"""The signed originals are made off the request (documents.originals): the step is done at
once, the page says the original is being made and shows itself again until it is there, the
workflow waits for it, a job run twice makes it once, and a failure is shown with its reason
and made again on request. Jobs here wait for the commit, as in production."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from approvals import services
from documents import originals, publishing
from documents.models import Event, Rendition

pytestmark = pytest.mark.usefixtures("jobs_after_commit")

PENDING = "Đang tạo bản gốc có chữ ký số"


def page(user, document) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/documents/van-ban/{document.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def run(callbacks) -> None:
    """What waited for the commit: the job (a worker's turn) and the e-mails."""
    for callback in callbacks:
        callback()


def kinds(document) -> set[str]:
    return set(document.renditions.values_list("kind", flat=True))


def events(document, kind) -> int:
    return document.events.filter(kind=kind).count()


def test_sign_off_is_done_at_once_and_its_original_follows(
    submitted, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as jobs:
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    submitted.refresh_from_db()
    assert submitted.status == "signed" and kinds(submitted) == set()
    assert [job for job in jobs if "after_commit" in job.__qualname__]  # the job, and mails
    text = page(users.vanthu, submitted)
    assert PENDING in text and 'data-vt-refresh="3"' in text
    # nothing that needs the original is offered
    assert f"/documents/van-ban/{submitted.pk}/ban-hanh/" not in text
    with pytest.raises(ValidationError, match="đang được tạo"):
        services.document_issue(document=submitted, actor=users.vanthu)
    submitted.refresh_from_db()
    assert submitted.status == "signed" and submitted.number is None

    run(jobs)  # the worker's turn
    assert kinds(submitted) == {Rendition.Kind.SIGNED_OFF}
    made = submitted.events.get(kind=Event.Kind.RENDERED)
    rendition = submitted.renditions.get()
    assert made.data == {"rendition": "signed_off", "pdf_sha256": rendition.sha256}
    assert made.actor is None and made.role == "Hệ thống"
    text = page(users.vanthu, submitted)
    assert PENDING not in text and "data-vt-refresh" not in text and rendition.sha256 in text


def test_acknowledging_waits_for_the_issued_original(
    submitted, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    with django_capture_on_commit_callbacks() as jobs:
        services.document_issue(document=submitted, actor=users.vanthu)
    submitted.refresh_from_db()
    assert submitted.status == "issued" and kinds(submitted) == {"signed_off"}
    receipt = submitted.receipts.select_related("assignee").get(unit__abbreviation="CA")
    with pytest.raises(PermissionDenied, match="đang được tạo"):
        services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    receipt.refresh_from_db()
    assert receipt.status == "pending"
    assert PENDING in page(receipt.assignee, submitted)

    run(jobs)
    assert kinds(submitted) == {"signed_off", "issued"}
    services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    receipt.refresh_from_db()
    assert receipt.status == "acknowledged"


def test_a_job_given_twice_makes_one_original_and_one_event(
    submitted, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as jobs:
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    run(jobs)
    first = submitted.renditions.get()
    again = originals.make_signed_original(document_id=submitted.pk, kind="signed_off")
    assert again == first
    assert submitted.renditions.count() == 1 and events(submitted, Event.Kind.RENDERED) == 1
    # An original the document does not call for (not issued yet) is not made.
    assert originals.make_signed_original(document_id=submitted.pk, kind="issued") is None
    assert kinds(submitted) == {"signed_off"}


def test_a_failure_is_shown_with_its_reason_and_made_again_on_request(
    submitted, users, monkeypatch, django_capture_on_commit_callbacks
):
    def storage_down(*, document, actor):
        raise ValidationError("Không ghi được tệp văn bản vào kho lưu trữ.")

    with monkeypatch.context() as patched:
        patched.setattr(publishing, "sign_off_rendition", storage_down)
        with django_capture_on_commit_callbacks(execute=True):
            services.document_decide(
                document=submitted, actor=users.phogiamdoc, decision="approve"
            )
    assert kinds(submitted) == set()
    failed = submitted.events.get(kind=Event.Kind.RENDER_FAILED)
    assert failed.data["rendition"] == "signed_off" and "kho lưu trữ" in failed.data["error"]
    text = page(users.phogiamdoc, submitted)
    assert "Không tạo được bản gốc có chữ ký số" in text and "kho lưu trữ" in text
    assert 'data-testid="original-retry"' in text and "data-vt-refresh" not in text
    assert 'data-testid="original-retry"' not in page(users.chuyenvien, submitted)

    # The drafter may not ask again: refused, nothing recorded.
    drafter = Client()
    drafter.force_login(users.chuyenvien)
    url = f"/documents/van-ban/{submitted.pk}/ban-goc/tao-lai/"
    assert drafter.post(url).status_code == 403
    assert events(submitted, Event.Kind.RENDER_REQUESTED) == 0

    signer = Client()
    signer.force_login(users.phogiamdoc)
    with django_capture_on_commit_callbacks(execute=True):
        response = signer.post(url)
    assert response.status_code == 302
    assert kinds(submitted) == {"signed_off"}
    trail = list(submitted.events.order_by("pk").values_list("kind", flat=True))
    assert trail[-3:] == ["render_failed", "render_requested", "rendered"]
    assert 'data-testid="original-pending"' not in page(users.phogiamdoc, submitted)
    # Nothing left to ask for: refused, nothing recorded.
    assert signer.post(url).status_code == 403
    assert events(submitted, Event.Kind.RENDER_REQUESTED) == 1


def test_an_original_whose_job_was_lost_is_asked_for_again(
    submitted, users, django_capture_on_commit_callbacks
):
    """A worker killed outright loses the job it held (the broker gives it again only after
    an hour): beat's requeue_overdue_originals asks again after five minutes, not for a
    failed one (a person decides), nor for steps older than a week."""
    from datetime import timedelta

    from django.utils import timezone

    from documents import tasks

    with django_capture_on_commit_callbacks():  # the job is lost: never run
        services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    assert tasks.requeue_overdue_originals() == 0  # just approved: its job may still run
    Document = type(submitted)
    Document.objects.filter(pk=submitted.pk).update(
        signed_off_at=timezone.now() - timedelta(days=8)
    )
    assert tasks.requeue_overdue_originals() == 0  # older than a week: left to the office
    Document.objects.filter(pk=submitted.pk).update(
        signed_off_at=timezone.now() - timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_overdue_originals() == 1
    assert kinds(submitted) == {"signed_off"}
    assert events(submitted, Event.Kind.RENDERED) == 1
    assert tasks.requeue_overdue_originals() == 0  # made: nothing more


def test_a_failed_original_is_not_asked_for_again_by_itself(
    submitted, users, monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from documents import tasks

    with monkeypatch.context() as patched:
        patched.setattr(
            publishing,
            "sign_off_rendition",
            lambda **kwargs: (_ for _ in ()).throw(ValidationError("Kho lưu trữ hỏng.")),
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.document_decide(
                document=submitted, actor=users.phogiamdoc, decision="approve"
            )
    type(submitted).objects.filter(pk=submitted.pk).update(
        signed_off_at=timezone.now() - timedelta(minutes=10)
    )
    assert tasks.requeue_overdue_originals() == 0  # failed: a person asks again
    assert kinds(submitted) == set()
