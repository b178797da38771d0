"""The visibility rule (documents.permissions): who sees which document, in every state."""

from __future__ import annotations

import pytest

from approvals import services
from documents.models import Document
from documents.selectors import document_list_visible_to
from tests.conftest import ISSUE_DATE

EVERYONE = [
    "chuyenvien",
    "chanhvanphong",
    "phogiamdoc",
    "giamdoc",
    "vanthu",
    "congan",
    "ttbcxb",
    "bcvtcntt",
    "trungtam",
    "bantatgt",
    "ubndtinh",
    "quantri",
]
NAMED = {"chuyenvien", "phogiamdoc"}  # the drafter and the signer it was submitted to
RECIPIENTS = {"congan", "chanhvanphong", "chuyenvien", "ttbcxb", "bcvtcntt", "trungtam", "vanthu"}


def visible(users, document) -> set[str]:
    return {
        name
        for name in EVERYONE
        if document_list_visible_to(users[name]).filter(pk=document.pk).exists()
    }


def advance(plan, users, stage: str) -> Document:
    if stage == "draft":
        return plan
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    if stage != "submitted":
        services.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    if stage == "issued":
        services.document_issue(document=plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    plan.refresh_from_db()
    return plan


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("draft", {"chuyenvien"}),
        ("submitted", NAMED),
        ("signed", NAMED | {"vanthu"}),
        # Issued: the recipient units, the văn thư, and both leaders of the agency.
        ("issued", NAMED | RECIPIENTS | {"giamdoc"}),
    ],
)
def test_who_sees_the_plan_at_each_stage(seed_plan, users, stage, expected):
    plan = advance(seed_plan, users, stage)
    assert visible(users, plan) == expected


def test_the_director_sees_the_issued_plan_page(seed_plan, users, client):
    plan = advance(seed_plan, users, "issued")
    client.force_login(users.giamdoc)
    response = client.get(f"/documents/van-ban/{plan.pk}/")
    assert response.status_code == 200
    assert plan.subject in response.text
    assert plan.subject in client.get("/documents/van-ban/").text


def test_a_confidential_document_is_seen_only_by_the_people_named_on_it(seed_plan, users):
    Document.objects.filter(pk=seed_plan.pk).update(confidentiality="mat")
    seed_plan.refresh_from_db()
    plan = advance(seed_plan, users, "issued")
    # The Giám đốc is not named on it: leaders see issued documents, but not secret ones.
    assert visible(users, plan) == NAMED | RECIPIENTS
    assert plan.register_key == "MAT"


def test_the_administrator_sees_no_document_at_all(seed_plan, users):
    plan = advance(seed_plan, users, "issued")
    assert not document_list_visible_to(users.quantri).exists()
    assert "quantri" not in visible(users, plan)


def test_reference_documents_are_seen_by_everyone_signed_in(demo, users):
    reference = Document.objects.get(origin=Document.Origin.REFERENCE)
    assert visible(users, reference) == set(EVERYONE) - {"quantri"}


def test_the_access_rows_follow_the_plan_through_its_life(seed_plan, users):
    """What the list pages read: one row per audience, the role rows kept in step."""
    from documents.models import Unit

    def audiences(plan):
        return set(plan.access.values_list("audience", flat=True))

    drafter, signer = f"user:{users.chuyenvien.pk}", f"user:{users.phogiamdoc.pk}"
    organization = seed_plan.organization_id
    assert audiences(seed_plan) == {drafter}
    plan = advance(seed_plan, users, "signed")
    assert audiences(plan) == {drafter, signer, f"clerks:{organization}"}
    services.document_issue(document=plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    units = Unit.objects.filter(receipts__document=plan)
    assert audiences(plan) == {
        drafter,
        signer,
        f"clerks:{organization}",
        f"leaders:{organization}",
        *(f"group:{unit.group_id}" for unit in units),
    }
    assert len(units) == 6
