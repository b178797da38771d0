"""Through real HTTP: the administrator manages the organisation and its people in the admin,
every change of reference data is on record, and documents are not the admin's to read or
change."""

import pytest
from django.test import Client
from viewflow.workflow.models import Process, Task

from approvals import services
from documents.models import Document, DocumentType, Event, Receipt
from tests.conftest import ISSUE_DATE, snapshot


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
        "approvals/notification": document.notifications.first(),
    }


@pytest.mark.parametrize(
    "model",
    [
        "documents/document",
        "documents/event",
        "documents/receipt",
        "viewflow/process",
        "viewflow/task",
        "approvals/notification",
    ],
)
def test_documents_and_the_workflow_are_not_in_the_admin(admin_client_, issued, model):
    obj = objects(issued)[model]
    before = snapshot(issued)
    base = f"/admin/{model}/"
    for url in (base, f"{base}{obj.pk}/change/", f"{base}{obj.pk}/delete/", f"{base}add/"):
        assert admin_client_.get(url).status_code == 404, url
        assert admin_client_.post(url, {"post": "yes"}).status_code == 404, url
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert snapshot(issued) == before


def test_the_administrator_sees_no_document_in_the_application(admin_client_, issued):
    assert admin_client_.get(f"/documents/van-ban/{issued.pk}/").status_code == 404
    assert issued.subject not in admin_client_.get("/documents/van-ban/").text


def test_renaming_a_type_is_recorded_and_leaves_signed_documents_intact(
    admin_client_, seed_plan, users
):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    plan_type = seed_plan.document_type
    response = admin_client_.post(
        f"/admin/documents/documenttype/{plan_type.pk}/change/",
        {"name": "Kế hoạch công tác", "abbreviation": "KHCT"},
    )
    assert response.status_code == 302
    plan_type.refresh_from_db()
    assert plan_type.abbreviation == "KHCT"
    change = plan_type.history.latest()
    assert change.history_user == users.quantri
    assert (change.history_type, change.name, change.abbreviation) == (
        "~",
        "Kế hoạch công tác",
        "KHCT",
    )
    history = admin_client_.get(f"/admin/documents/documenttype/{plan_type.pk}/history/")
    assert history.status_code == 200
    # The document keeps the names it was signed under; it is still issued as a KH.
    issued = services.document_issue(document=seed_plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    assert issued.notation == "01/KH-STTTT"
    assert issued.names().type_name == "Kế hoạch"


def test_renaming_the_agency_does_not_stop_the_last_acknowledgement(issued, users):
    organization = issued.organization
    organization.abbreviation = "SKHCN"
    organization.name = "Sở Khoa học và Công nghệ"
    organization.save()
    for receipt in issued.receipts.select_related("unit"):
        services.receipt_acknowledge(receipt=receipt, actor=receipt.assignee)
    issued.refresh_from_db()
    assert issued.status == Document.Status.ARCHIVED
    assert issued.notation == "01/KH-STTTT"
    assert issued.events.filter(kind=Event.Kind.ARCHIVED).exists()


def test_a_persons_unit_and_position_are_edited_with_their_account(admin_client_, users):
    user = users.congan
    page = admin_client_.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    assert "Quản trị Văn thư" in page.text
    assert 'name="profile-0-unit"' in page.text
    assert 'name="profile-0-position"' in page.text
    listing = admin_client_.get("/admin/auth/user/")
    assert user.profile.unit.name in listing.text


def test_a_draft_is_still_renamed_with_its_type(seed_plan):
    DocumentType.objects.filter(pk=seed_plan.document_type_id).update(name="Kế hoạch mới")
    seed_plan.refresh_from_db()
    assert seed_plan.names().type_name == "Kế hoạch mới"
    assert not Receipt.objects.exists()
