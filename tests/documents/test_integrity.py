"""Signed-off content cannot change; the audit trail cannot be edited or deleted."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied

from approvals import services
from documents.models import Document, Event, RecipientLine
from documents.models.audit import AppendOnlyError


@pytest.fixture
def signed_plan(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    seed_plan.refresh_from_db()
    return seed_plan


def test_changing_the_body_of_a_signed_document_is_refused_everywhere(signed_plan):
    signed_plan.body += " Thêm một câu."
    with pytest.raises(PermissionDenied):
        signed_plan.save()
    signed_plan.refresh_from_db()
    assert not signed_plan.body.endswith("Thêm một câu.")


def test_recipient_lines_of_a_signed_document_cannot_change(signed_plan):
    line = signed_plan.recipient_lines.first()
    line.text = "Sở Giao thông vận tải"
    with pytest.raises(PermissionDenied):
        line.save()
    with pytest.raises(PermissionDenied):
        RecipientLine.objects.create(document=signed_plan, position=9, text="Báo Bình Phước")
    with pytest.raises(PermissionDenied):
        signed_plan.recipient_lines.first().delete()
    assert signed_plan.recipient_lines.count() == 3


def test_issuing_a_tampered_document_is_refused(signed_plan, users):
    # Tampering below the ORM guard (a raw UPDATE) is still caught by the hash at issuance.
    Document.objects.filter(pk=signed_plan.pk).update(body="Nội dung đã bị thay.")
    with pytest.raises(PermissionDenied):
        services.document_issue(document=signed_plan, actor=users.vanthu)
    signed_plan.refresh_from_db()
    assert signed_plan.status == Document.Status.SIGNED
    assert signed_plan.number is None


def test_events_are_append_only(signed_plan):
    event = signed_plan.events.first()
    event.comment = "sửa lại"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(comment="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).comment == ""


@pytest.mark.parametrize("model", [Event, Document])
def test_the_trail_and_documents_are_not_in_the_admin(model):
    """Not even read-only: the administrator manages people, not documents (test_admin)."""
    assert model not in site._registry


def test_history_records_who_changed_what(seed_plan, users):
    from documents import services as documents

    documents.document_update(document=seed_plan, actor=users.chuyenvien, subject="Trích yếu mới")
    latest = seed_plan.history.first()
    assert latest.subject == "Trích yếu mới"
    assert latest.history_user == users.chuyenvien
    assert latest.history_type == "~"
