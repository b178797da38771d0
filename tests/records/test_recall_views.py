"""The recall screens over HTTP: the form, the banner every recipient sees, confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from approvals import services as workflow
from documents.models import Document, Event, Receipt
from tests.conftest import snapshot


def recall_url(document):
    return reverse("records:document_recall", args=[document.pk])


def confirm_url(receipt):
    return reverse("records:receipt_confirm_recall", args=[receipt.pk])


@pytest.mark.django_db
def test_the_signer_sees_the_button_and_recalls_through_the_form(issued, client_for):
    client = client_for("phogiamdoc")
    page = client.get(reverse("documents:document_detail", args=[issued.pk]))
    assert recall_url(issued) in page.content.decode()
    assert client.get(recall_url(issued)).status_code == 200
    response = client.post(recall_url(issued), {"reason": "Ban hành sai thẩm quyền"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Document.Status.RECALLED


@pytest.mark.django_db
def test_an_empty_reason_is_a_form_error_and_nothing_changes(issued, client_for):
    before = snapshot(issued)
    response = client_for("vanthu").post(recall_url(issued), {"reason": "   "})
    assert response.status_code == 422
    assert "Phải ghi lý do thu hồi" in response.content.decode()
    assert snapshot(issued) == before


@pytest.mark.django_db
def test_who_may_not_recall_gets_403_or_404(issued, seed_plan, client_for):
    before = snapshot(issued)
    # Recipients see the document but may not recall it; the button is not shown to them.
    client = client_for("congan")
    page = client.get(reverse("documents:document_detail", args=[issued.pk]))
    assert page.status_code == 200 and recall_url(issued) not in page.content.decode()
    assert client.get(recall_url(issued)).status_code == 403
    assert client.post(recall_url(issued), {"reason": "x"}).status_code == 403
    assert client_for("chuyenvien").post(recall_url(issued), {"reason": "x"}).status_code == 403
    assert snapshot(issued) == before
    # Someone who does not see the document: 404.
    assert client_for("ttbcxb").get(recall_url(Document(pk=999999))).status_code == 404


@pytest.mark.django_db
def test_every_recipient_sees_the_recall_and_confirms_it(issued, users, client_for):
    workflow.document_recall(document=issued, actor=users.vanthu, reason="Sai sót nội dung")
    receipt = issued.receipts.get(unit__abbreviation="CA")
    client = client_for("congan")
    for url in (
        reverse("documents:document_detail", args=[issued.pk]),
        reverse("documents:receipt_detail", args=[receipt.pk]),
    ):
        html = client.get(url).content.decode()
        assert 'data-testid="recall-banner"' in html
        assert "Sai sót nội dung" in html and "Đã thu hồi" in html
        assert confirm_url(receipt) in html
        assert 'mdc-button__label">Xác nhận đã nhận' not in html  # no acknowledgement
    listing = client.get(reverse("documents:receipt_list")).content.decode()
    assert 'data-testid="receipt-recalled"' in listing
    # A notification for the unit, linking to the document.
    notes = client.get(reverse("documents:notification_list")).content.decode()
    assert "thu hồi" in notes
    # Acknowledging over HTTP is refused now.
    assert client.post(reverse("documents:receipt_detail", args=[receipt.pk])).status_code == 403
    # Confirm.
    response = client.post(confirm_url(receipt))
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.recall_confirmed_by == users.congan
    html = client_for("vanthu").get(reverse("documents:document_detail", args=[issued.pk]))
    assert 'data-unit="CA" data-confirmed="yes"' in html.content.decode()
    # Twice: 403, nothing more recorded.
    assert client.post(confirm_url(receipt)).status_code == 403
    assert issued.events.filter(kind=Event.Kind.RECALL_CONFIRMED).count() == 1


@pytest.mark.django_db
def test_confirming_another_units_receipt_is_404_and_before_recall_403(issued, client_for):
    receipt = issued.receipts.get(unit__abbreviation="CA")
    assert client_for("ttbcxb").post(confirm_url(receipt)).status_code == 404
    assert client_for("congan").post(confirm_url(receipt)).status_code == 403
    assert client_for("congan").get(confirm_url(receipt)).status_code == 405
    assert Receipt.objects.get(pk=receipt.pk).recall_confirmed_at is None
