"""For every role, every workflow action it must not take is refused, and nothing changes."""

import pytest
from django.core.exceptions import PermissionDenied

from approvals import services
from documents import services as documents
from documents.models import Document, Receipt, Unit
from tests.conftest import ISSUE_DATE, snapshot

ALL_USERS = [
    "chuyenvien",
    "chanhvanphong",
    "phogiamdoc",
    "giamdoc",
    "vanthu",
    "congan",
    "ttbcxb",
    "quantri",
]


def submitted(plan, users):
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    plan.refresh_from_db()
    return plan


def signed(plan, users):
    submitted(plan, users)
    services.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    plan.refresh_from_db()
    return plan


def issued(plan, users):
    signed(plan, users)
    services.document_issue(document=plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    plan.refresh_from_db()
    return plan


def edit(plan, user):
    documents.document_update(document=plan, actor=user, body="Nội dung bị sửa trái phép.")


def submit(plan, user, users):
    services.document_submit(document=plan, actor=user, signer=users.phogiamdoc)


def approve(plan, user):
    services.document_decide(document=plan, actor=user, decision="approve")


def approve_directly(plan, user):
    """Bypassing the workflow layer does not bypass the rule."""
    documents.document_sign_off(document=plan, actor=user)


def issue(plan, user):
    services.document_issue(document=plan, actor=user)


def issue_directly(plan, user):
    documents.document_issue(document=plan, actor=user)


def acknowledge_police_receipt(plan, user):
    receipt = plan.receipts.get(unit__abbreviation="CA")
    services.receipt_acknowledge(receipt=receipt, actor=user)


def acknowledge_directly(plan, user):
    receipt = plan.receipts.get(unit__abbreviation="CA")
    documents.receipt_acknowledge(receipt=receipt, actor=user)


CASES = [
    # (stage, action, who may do it)
    (None, "edit", {"chuyenvien"}),
    (None, "submit", {"chuyenvien"}),
    (submitted, "approve", {"phogiamdoc"}),
    (submitted, "approve_directly", {"phogiamdoc"}),
    (submitted, "edit", set()),
    (signed, "issue", {"vanthu"}),
    (signed, "issue_directly", {"vanthu"}),
    (signed, "edit", set()),
    (issued, "acknowledge_police_receipt", {"congan"}),
    (issued, "acknowledge_directly", {"congan"}),
    (issued, "issue_directly", set()),
    (issued, "approve_directly", set()),
]

ACTIONS = {
    "edit": lambda plan, user, users: edit(plan, user),
    "submit": lambda plan, user, users: submit(plan, user, users),
    "approve": lambda plan, user, users: approve(plan, user),
    "approve_directly": lambda plan, user, users: approve_directly(plan, user),
    "issue": lambda plan, user, users: issue(plan, user),
    "issue_directly": lambda plan, user, users: issue_directly(plan, user),
    "acknowledge_police_receipt": lambda plan, user, users: acknowledge_police_receipt(plan, user),
    "acknowledge_directly": lambda plan, user, users: acknowledge_directly(plan, user),
}

REFUSALS = [
    pytest.param(
        stage, action, username, id=f"{stage.__name__ if stage else 'draft'}-{action}-{username}"
    )
    for stage, action, allowed in CASES
    for username in ALL_USERS
    if username not in allowed
]


@pytest.mark.parametrize(("stage", "action", "username"), REFUSALS)
def test_refused_action_changes_nothing(seed_plan, users, stage, action, username):
    plan = stage(seed_plan, users) if stage else seed_plan
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        ACTIONS[action](plan, users[username], users)
    assert snapshot(plan) == before


def test_only_the_chosen_deputy_director_gets_the_sign_off_task(seed_plan, users):
    plan = submitted(seed_plan, users)
    with pytest.raises(PermissionDenied):
        services.document_decide(document=plan, actor=users.giamdoc, decision="approve")
    services.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    plan.refresh_from_db()
    assert plan.status == Document.Status.SIGNED


def test_a_member_not_given_the_receipt_cannot_acknowledge_it(seed_plan, users, django_user_model):
    plan = issued(seed_plan, users)
    receipt = plan.receipts.get(unit__abbreviation="TTBCXB")
    colleague = django_user_model.objects.create_user("phongvien", password="x")
    colleague.groups.add(receipt.unit.group)
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        services.receipt_acknowledge(receipt=receipt, actor=colleague)
    assert snapshot(plan) == before
    # Handed over by the head of the phòng, it is theirs to acknowledge.
    services.receipt_hand_over(receipt=receipt, actor=users.ttbcxb, to=colleague)
    services.receipt_acknowledge(receipt=receipt, actor=colleague)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ACKNOWLEDGED
    assert receipt.acknowledged_by == colleague


def test_a_receipt_given_to_no_one_is_acknowledged_by_any_member(
    seed_plan, users, django_user_model
):
    unit = Unit.objects.get(abbreviation="TTBCXB")
    unit.receiver = None
    unit.save()
    plan = issued(seed_plan, users)
    receipt = plan.receipts.get(unit=unit)
    assert receipt.assignee is None
    colleague = django_user_model.objects.create_user("phongvien", password="x")
    colleague.groups.add(unit.group)
    with pytest.raises(PermissionDenied):
        services.receipt_acknowledge(receipt=receipt, actor=users.congan)
    services.receipt_acknowledge(receipt=receipt, actor=colleague)
    receipt.refresh_from_db()
    assert receipt.acknowledged_by == colleague


def test_the_clerk_hands_over_the_records_office_copy(seed_plan, users, django_user_model):
    plan = issued(seed_plan, users)
    receipt = plan.receipts.get(unit__is_records_office=True)
    colleague = django_user_model.objects.create_user("vanthu2", password="x")
    colleague.groups.add(receipt.unit.group)
    with pytest.raises(PermissionDenied):  # a member who is not the văn thư
        services.receipt_hand_over(receipt=receipt, actor=colleague, to=colleague)
    services.receipt_hand_over(receipt=receipt, actor=users.vanthu, to=colleague)
    receipt.refresh_from_db()
    assert receipt.assignee == colleague


def test_a_receipt_is_acknowledged_once(seed_plan, users):
    plan = issued(seed_plan, users)
    receipt = plan.receipts.get(unit__abbreviation="CA")
    services.receipt_acknowledge(receipt=receipt, actor=users.congan)
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        services.receipt_acknowledge(receipt=receipt, actor=users.congan)
    assert snapshot(plan) == before


def test_issuing_twice_is_refused_and_consumes_no_number(seed_plan, users):
    plan = issued(seed_plan, users)
    before = snapshot(plan)
    with pytest.raises(PermissionDenied):
        services.document_issue(document=plan, actor=users.vanthu)
    assert snapshot(plan) == before
    from documents.models import RegisterCounter

    assert RegisterCounter.objects.get().last_number == 1


def test_a_unit_without_a_designated_receiver_can_still_acknowledge(seed_plan, users):
    from documents.models import Unit

    Unit.objects.filter(abbreviation="TTCNTT").update(receiver=None)
    plan = issued(seed_plan, users)
    receipt = plan.receipts.get(unit__abbreviation="TTCNTT")
    services.receipt_acknowledge(receipt=receipt, actor=users.trungtam)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ACKNOWLEDGED
    assert receipt.acknowledged_by == users.trungtam
