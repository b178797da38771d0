"""Bad input gets a clear error and changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from approvals import services
from documents import services as documents
from documents.models import Document
from tests.conftest import snapshot


@pytest.fixture
def submitted_plan(seed_plan, users):
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    seed_plan.refresh_from_db()
    return seed_plan


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("return", "Phải ghi ý kiến khi trả lại văn bản."),
        ("reject", "Phải ghi lý do khi không duyệt văn bản."),
    ],
)
@pytest.mark.parametrize("comment", ["", "   \n "])
def test_return_or_reject_needs_a_comment(submitted_plan, users, decision, message, comment):
    before = snapshot(submitted_plan)
    with pytest.raises(ValidationError) as error:
        services.document_decide(
            document=submitted_plan, actor=users.phogiamdoc, decision=decision, comment=comment
        )
    assert error.value.message_dict["comment"] == [message]
    assert snapshot(submitted_plan) == before
    assert submitted_plan.processes.get().decision == ""


def test_unknown_decision_is_refused(submitted_plan, users):
    before = snapshot(submitted_plan)
    with pytest.raises(ValidationError):
        services.document_decide(document=submitted_plan, actor=users.phogiamdoc, decision="x")
    assert snapshot(submitted_plan) == before


def test_submitting_to_someone_who_does_not_sign_is_refused(seed_plan, users):
    before = snapshot(seed_plan)
    with pytest.raises(ValidationError) as error:
        services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.vanthu)
    assert "signer" in error.value.message_dict
    assert snapshot(seed_plan) == before
    assert not seed_plan.processes.exists()


def test_a_draft_without_recipients_cannot_be_submitted(seed_plan, users):
    documents.document_update(document=seed_plan, actor=users.chuyenvien, recipients=[])
    before = snapshot(seed_plan)
    with pytest.raises(ValidationError) as error:
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
    assert error.value.message_dict["recipients"] == ["Văn bản phải có nơi nhận."]
    assert snapshot(seed_plan) == before


def test_a_document_whose_recipients_name_no_unit_cannot_be_issued(seed_plan, users):
    documents.document_update(
        document=seed_plan,
        actor=users.chuyenvien,
        recipients=[documents.RecipientSpec("Như trên")],
    )
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    before = snapshot(seed_plan)
    with pytest.raises(ValidationError):
        services.document_issue(document=seed_plan, actor=users.vanthu)
    assert snapshot(seed_plan) == before
    seed_plan.refresh_from_db()
    assert seed_plan.status == Document.Status.SIGNED


def test_empty_subject_is_refused(seed_plan, users):
    before = snapshot(seed_plan)
    with pytest.raises(ValidationError):
        documents.document_update(document=seed_plan, actor=users.chuyenvien, subject="  ")
    assert snapshot(seed_plan) == before
