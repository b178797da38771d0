"""One rule per step, whatever the door: viewflow's stock task URLs are gone, the
administrator acts in no step, and every service refuses a person the step is not for."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task

from approvals import services
from approvals.flows import DocumentFlow
from tests.conftest import snapshot

STOCK_ACTIONS = ("", "detail/", "assign/", "unassign/", "execute/", "cancel/", "undo/", "revive/")


def open_task(document, node):
    return Task.objects.get(
        process__documentprocess__document=document,
        flow_task=node,
        status__in=("NEW", "ASSIGNED"),
    )


@pytest.mark.parametrize("username", ["phogiamdoc", "congan", "quantri"])
def test_no_stock_task_url_answers_for_the_sign_off_task(client_for, submitted, username):
    """The finding: the signer unassigned, then the Công an liaison assigned the task to
    himself and read the draft; the signer was locked out. No such URL exists any more."""
    task = open_task(submitted, DocumentFlow.sign_off)
    before = snapshot(submitted)
    client = client_for(username)
    for action in STOCK_ACTIONS:
        url = f"/document/{task.process_id}/sign_off/{task.pk}/{action}"
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, (url, response.status_code)
            assert submitted.subject not in response.text
    for url in (
        f"/document/{task.process_id}/cancel/",
        "/document/queue/assign/",
        "/document/inbox/unassign/",
    ):
        assert client.post(url, {"_selected_action": [task.pk]}).status_code == 404, url
    task.refresh_from_db()
    assert (task.status, task.owner.username) == ("ASSIGNED", "phogiamdoc")
    assert snapshot(submitted) == before


def test_the_signer_still_signs_after_every_attempt(client_for, submitted, users):
    client_for("congan").post(
        f"/document/{submitted.processes.get().pk}/sign_off/"
        f"{open_task(submitted, DocumentFlow.sign_off).pk}/assign/"
    )
    response = client_for("phogiamdoc").post(
        f"/documents/van-ban/{submitted.pk}/ky-duyet/", {"decision": "approve"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "signed"


def test_no_stock_url_for_an_acknowledge_task(client_for, issued):
    receipt = issued.receipts.get(unit__abbreviation="CA")
    task = Task.objects.get(flow_task=DocumentFlow.acknowledge, data__receipt=receipt.pk)
    before = snapshot(issued)
    for username in ("chanhvanphong", "quantri"):
        client = client_for(username)
        for action in STOCK_ACTIONS:
            url = f"/document/{task.process_id}/acknowledge/{task.pk}/{action}"
            assert client.post(url).status_code == 404, url
    assert snapshot(issued) == before


def test_the_administrator_can_do_no_step(seed_plan, users):
    admin = users.quantri
    before = snapshot(seed_plan)
    with pytest.raises(PermissionDenied):
        services.document_submit(document=seed_plan, actor=admin, signer=users.phogiamdoc)
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    for step in (
        lambda: services.document_decide(document=seed_plan, actor=admin, decision="approve"),
        lambda: services.document_issue(document=seed_plan, actor=admin),
    ):
        with pytest.raises(PermissionDenied):
            step()
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    with pytest.raises(PermissionDenied):
        services.document_issue(document=seed_plan, actor=admin)
    services.document_issue(document=seed_plan, actor=users.vanthu)
    after_issue = snapshot(seed_plan)
    receipt = seed_plan.receipts.get(unit__abbreviation="CA")
    with pytest.raises(PermissionDenied):
        services.receipt_acknowledge(receipt=receipt, actor=admin)
    with pytest.raises(PermissionDenied):
        services.receipt_hand_over(receipt=receipt, actor=admin, to=users.congan)
    assert snapshot(seed_plan) == after_issue
    assert before["status"] == "draft"


def test_the_flow_gives_no_one_the_manage_permission(users):
    flow = DocumentFlow.instance
    assert not any(flow.has_manage_permission(user) for user in users.values())
