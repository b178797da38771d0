"""Through real HTTP, even a superuser cannot edit or delete the trail in the admin."""

import pytest
from django.test import Client
from viewflow.workflow.models import Process, Task

from approvals import services
from documents.models import Document, Event, Receipt
from tests.conftest import ISSUE_DATE


@pytest.fixture
def admin_client_(users):
    client = Client()
    client.force_login(users.quantri)
    return client


@pytest.fixture
def issued(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=seed_plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    seed_plan.refresh_from_db()
    return seed_plan


def objects(document):
    return {
        "documents/document": document,
        "documents/event": document.events.first(),
        "documents/receipt": document.receipts.first(),
        "viewflow/process": Process.objects.get(documentprocess__document=document),
        "viewflow/task": Task.objects.filter(process__documentprocess__document=document).first(),
    }


@pytest.mark.parametrize(
    "model",
    [
        "documents/document",
        "documents/event",
        "documents/receipt",
        "viewflow/process",
        "viewflow/task",
    ],
)
def test_superuser_can_view_but_not_change_or_delete(admin_client_, issued, model):
    obj = objects(issued)[model]
    base = f"/admin/{model}/{obj.pk}/"
    assert admin_client_.get(base + "change/").status_code == 200  # read-only view
    assert admin_client_.post(base + "change/", {}).status_code == 403
    assert admin_client_.get(base + "delete/").status_code == 403
    assert admin_client_.post(base + "delete/", {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert admin_client_.get(f"/admin/{model}/add/").status_code == 403


def test_history_cannot_be_reverted_from_the_admin(admin_client_, issued):
    history_id = issued.history.earliest().history_id
    url = f"/admin/documents/document/{issued.pk}/history/{history_id}/"
    before = (issued.status, issued.body, Event.objects.count(), Receipt.objects.count())
    response = admin_client_.post(url, {})
    assert response.status_code in (403, 302, 200)
    issued.refresh_from_db()
    assert (issued.status, issued.body, Event.objects.count(), Receipt.objects.count()) == before
    assert issued.status == Document.Status.ISSUED


def test_a_persons_unit_and_position_are_edited_with_their_account(admin_client_, users):
    user = users.congan
    page = admin_client_.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    assert "Quản trị Văn thư" in page.text
    assert 'name="profile-0-unit"' in page.text
    assert 'name="profile-0-position"' in page.text
    listing = admin_client_.get("/admin/auth/user/")
    assert user.profile.unit.name in listing.text
