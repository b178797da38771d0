"""The plan's follow-up through the real pages and the workflow: assignments entered on the
drafting form from the body's suggestions and activated at issuance; a unit's report through
the whole workflow closing its assignment; Văn phòng's review; the compiled report pre-filled
from two unit reports and sent to the outside recipient."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from approvals import selectors as work
from approvals import services as workflow
from documents.models import (
    Assignment,
    AssignmentReport,
    Document,
    DocumentAccess,
    Event,
    Receipt,
    Unit,
)

CREATE = reverse("documents:document_create")


def _post_data(response, **overrides) -> dict:
    """What the drafting form would send back as shown: its fields, Nơi nhận, assignments."""
    context = response.context
    form, recipients = context["form"], context["formset"]
    assignments = context["drafting"].formset
    data: dict = {}
    for name in form.fields:
        if name == "attachment":
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    for formset in (recipients, assignments):
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    value = value.strftime("%d/%m/%Y")
                if isinstance(value, list | tuple):
                    value = [getattr(v, "pk", v) for v in value]
                data[row.add_prefix(name)] = getattr(value, "pk", value)
    data.update(overrides)
    return data


def _through_workflow(document: Document, users, *, drafter, signer="phogiamdoc") -> Document:
    workflow.document_submit(document=document, actor=drafter, signer=users[signer])
    workflow.document_decide(document=document, actor=users[signer], decision="approve")
    workflow.document_issue(document=document, actor=users.vanthu)
    document.refresh_from_db()
    return document


def _acknowledge(document: Document, unit_abbreviation: str) -> None:
    receipt = Receipt.objects.select_related("unit__receiver").get(
        document=document, unit__abbreviation=unit_abbreviation
    )
    workflow.receipt_acknowledge(receipt=receipt, actor=receipt.unit.receiver)


def test_the_seed_plan_s_tasks_are_suggested_confirmed_and_activated_at_issuance(
    users, client_for, seed_plan
):
    seed_plan.assignments.all().delete()  # the demo data has them: enter them again here
    client = client_for("chuyenvien")
    edit = reverse("documents:document_edit", kwargs={"pk": seed_plan.pk})
    page = client.get(edit)
    assert page.status_code == 200
    assert b'data-testid="suggestion-hint"' in page.content

    # Asked for suggestions: four rows to check, nothing saved yet.
    suggested = client.post(edit, _post_data(page, suggest="1"))
    assert suggested.status_code == 200
    assert suggested.context["drafting"].suggested == 4
    assert not seed_plan.assignments.exists()
    rows = suggested.context["drafting"].formset.initial
    assert [row["lead_unit"] for row in rows][:3] == [
        Unit.objects.get(abbreviation=a).pk for a in ("VP", "TTBCXB", "BCVTCNTT")
    ]
    assert rows[3]["lead_unit"] is None  # the whole agency: the drafter chooses

    # Saved without choosing the fourth's unit: a form error, nothing written.
    refused = client.post(edit, _post_data(suggested))
    assert refused.status_code == 422
    assert "Hãy chọn đơn vị chủ trì." in refused.content.decode()
    assert not seed_plan.assignments.exists()

    vp = Unit.objects.get(abbreviation="VP")
    saved = client.post(edit, _post_data(suggested, **{"assignments-3-lead_unit": vp.pk}))
    assert saved.status_code == 302
    assignments = list(seed_plan.assignments.order_by("position"))
    assert len(assignments) == 4
    assert {a.status for a in assignments} == {Assignment.Status.PLANNED}
    assert {a.due_on for a in assignments} == {dt.date(2020, 12, 31)}
    assert assignments[1].lead_unit.abbreviation == "TTBCXB"
    assert seed_plan.events.filter(kind=Event.Kind.EDITED).last().data["fields"] == ["assignments"]

    # Nobody sees a planned task in "Việc của tôi".
    assert not work.work_counts(users.ttbcxb).assignments
    plan = _through_workflow(seed_plan, users, drafter=users.chuyenvien)
    assignments = list(plan.assignments.order_by("position"))
    assert {a.status for a in assignments} == {Assignment.Status.NOT_STARTED}
    assert {a.activated_on for a in assignments} == {plan.issued_on}
    assert plan.events.filter(kind=Event.Kind.ASSIGNED).count() == 1
    ttbcxb = Unit.objects.get(abbreviation="TTBCXB")
    assert DocumentAccess.objects.filter(
        document=plan, audience=f"group:{ttbcxb.group_id}"
    ).exists()
    assert work.work_counts(users.ttbcxb).assignments == 1
    home = client_for("ttbcxb").get(reverse("documents:index"))
    assert b'data-testid="assignment-item" data-state="overdue"' in home.content


def test_a_signed_plan_s_tasks_cannot_change(users, seed_plan):
    from documents import services as documents

    plan = seed_plan
    workflow.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    workflow.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    plan.refresh_from_db()
    assert plan.content_hash
    # A task changed behind the service's back is caught before issuance.
    Assignment.objects.filter(plan=plan, position=1).update(task="Việc khác")
    with pytest.raises(Exception, match="thay đổi sau khi ký duyệt"):
        workflow.document_issue(document=plan, actor=users.vanthu)
    plan.refresh_from_db()
    assert plan.status == Document.Status.SIGNED
    assert not plan.receipts.exists()
    with pytest.raises(Exception):  # noqa: B017 — the draft's services refuse too
        documents.document_update(document=plan, actor=users.chuyenvien, assignments=[])
    assert plan.assignments.count() == 4


def _unit_report(client_for, users, assignment: Assignment, username: str) -> Document:
    client = client_for(username)
    url = f"{CREATE}?nhiem-vu={assignment.pk}"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["document_type"].abbreviation == "BC"
    assert assignment.plan.notation in form.initial["subject"]
    recipients = page.context["formset"].initial
    assert [r["text"] for r in recipients] == ["Văn phòng", "Lưu: VT"]
    data = _post_data(page)
    data["body"] = data["body"].replace(
        "1. Kết quả thực hiện\n", f"1. Kết quả thực hiện\n{username} đã hoàn thành.\n"
    )
    created = client.post(url, data)
    assert created.status_code == 302, created.content.decode()[:2000]
    report = AssignmentReport.objects.get(assignment=assignment, outcome="drafting")
    return report.document


def test_a_unit_report_closes_its_assignment_through_the_whole_workflow(
    users, client_for, seed_plan
):
    plan = _through_workflow(seed_plan, users, drafter=users.chuyenvien)
    assignment = plan.assignments.get(lead_unit__abbreviation="TTBCXB")

    # Another unit's drafter may not report on it (not theirs: 404), nor the văn thư.
    assert client_for("bcvtcntt").get(f"{CREATE}?nhiem-vu={assignment.pk}").status_code == 404
    assert client_for("vanthu").get(f"{CREATE}?nhiem-vu={assignment.pk}").status_code == 403
    assert client_for("ttbcxb").get(f"{CREATE}?nhiem-vu=abc").status_code == 404

    report = _unit_report(client_for, users, assignment, "ttbcxb")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS
    assert list(report.cites.all()) == [plan]

    report = _through_workflow(report, users, drafter=users.ttbcxb)
    assert report.notation.endswith("/BC-STTTT")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS  # sent, not yet received
    _acknowledge(report, "VT")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS  # the records office's copy
    _acknowledge(report, "VP")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.REPORTED
    assert assignment.reported_on is not None
    event = plan.events.get(kind=Event.Kind.TASK_REPORTED)
    assert event.data["report"] == report.notation
    assert event.data["late"] is True  # due 31/12/2020

    detail = reverse("documents:assignment_detail", kwargs={"pk": assignment.pk})
    review = reverse("documents:assignment_review", kwargs={"pk": assignment.pk})
    assert client_for("ttbcxb").get(detail).status_code == 200
    assert client_for("trungtam").get(detail).status_code == 404
    assert client_for("congan").get(detail).status_code == 404
    # The reporting unit may not judge its own report; nothing changes.
    assert client_for("ttbcxb").post(review, {"decision": "accept"}).status_code == 403
    assert client_for("trungtam").post(review, {"decision": "accept"}).status_code == 404
    vp = client_for("chanhvanphong")
    page = vp.get(detail)
    assert b'data-testid="review"' in page.content
    refused = vp.post(review, {"decision": "send_back", "comment": "  "})
    assert refused.status_code == 422
    assert "Ghi rõ lý do yêu cầu báo cáo lại." in refused.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.REPORTED

    assert (
        vp.post(review, {"decision": "send_back", "comment": "Bổ sung số liệu."}).status_code == 302
    )
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS
    assert plan.events.get(kind=Event.Kind.TASK_SENT_BACK).comment == "Bổ sung số liệu."

    second = _through_workflow(
        _unit_report(client_for, users, assignment, "ttbcxb"), users, drafter=users.ttbcxb
    )
    _acknowledge(second, "VP")
    assert vp.post(review, {"decision": "accept", "comment": ""}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DONE
    assert assignment.completed_on is not None
    assert [r.outcome for r in assignment.reports.order_by("pk")] == ["sent_back", "accepted"]
    history = list(assignment.history.order_by("history_date").values_list("status", flat=True))
    # From its activation (the demo data's rows were loaded without history) to the end.
    assert history[0] == "not_started" and history[-1] == "done"
    assert "reported" in history and "in_progress" in history
    assert not work.work_counts(users.ttbcxb).assignments


def test_a_report_not_approved_puts_its_assignment_back(users, client_for, seed_plan):
    plan = _through_workflow(seed_plan, users, drafter=users.chuyenvien)
    assignment = plan.assignments.get(lead_unit__abbreviation="BCVTCNTT")
    report = _unit_report(client_for, users, assignment, "bcvtcntt")
    workflow.document_submit(document=report, actor=users.bcvtcntt, signer=users.phogiamdoc)
    workflow.document_decide(
        document=report, actor=users.phogiamdoc, decision="reject", comment="Không đạt."
    )
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.NOT_STARTED
    assert assignment.reports.get().outcome == AssignmentReport.Outcome.WITHDRAWN


def test_a_report_must_go_to_the_follow_up_unit(users, client_for, seed_plan):
    from django.core.exceptions import ValidationError

    from documents import services as documents

    plan = _through_workflow(seed_plan, users, drafter=users.chuyenvien)
    assignment = plan.assignments.get(lead_unit__abbreviation="TTBCXB")
    report = _unit_report(client_for, users, assignment, "ttbcxb")
    documents.document_update(
        document=report,
        actor=users.ttbcxb,
        recipients=[documents.RecipientSpec("Lưu: VT", [Unit.objects.get(abbreviation="VT")])],
    )
    with pytest.raises(ValidationError, match="Văn phòng"):
        workflow.document_submit(document=report, actor=users.ttbcxb, signer=users.phogiamdoc)
    report.refresh_from_db()
    assert report.status == Document.Status.DRAFT


def test_the_compiled_report_is_prefilled_from_two_unit_reports_and_reaches_the_province(
    users, client_for, seed_plan
):
    plan = _through_workflow(seed_plan, users, drafter=users.chuyenvien)
    reports = {}
    for abbreviation, username in (("TTBCXB", "ttbcxb"), ("BCVTCNTT", "bcvtcntt")):
        assignment = plan.assignments.get(lead_unit__abbreviation=abbreviation)
        report = _through_workflow(
            _unit_report(client_for, users, assignment, username), users, drafter=users[username]
        )
        _acknowledge(report, "VP")
        reports[abbreviation] = report

    url = f"{CREATE}?tong-hop={plan.pk}&loai=bc"
    assert client_for("ttbcxb").get(url).status_code == 403  # not the follow-up unit
    assert client_for("congan").get(url).status_code == 403
    assert client_for("chuyenvien").get(f"{CREATE}?tong-hop=999999&loai=bc").status_code == 404
    assert client_for("chuyenvien").get(f"{CREATE}?tong-hop={plan.pk}&loai=x").status_code == 404
    client = client_for("chuyenvien")
    page = client.get(url)
    assert page.status_code == 200
    body = page.context["form"].initial["body"]
    for abbreviation, username in (("TTBCXB", "ttbcxb"), ("BCVTCNTT", "bcvtcntt")):
        assert f"Báo cáo số {reports[abbreviation].notation}" in body
        assert f"{username} đã hoàn thành." in body
    assert "(trễ hạn)" in body
    assert "Chưa báo cáo (quá hạn từ ngày 31/12/2020)." in body  # Văn phòng's own two
    cites = {d.pk for d in page.context["form"].initial["cites"]}
    assert cites == {plan.pk, reports["TTBCXB"].pk, reports["BCVTCNTT"].pk}
    recipients = page.context["formset"].initial
    assert recipients[0]["text"] == "Ủy ban nhân dân tỉnh (qua Thường trực Ban ATGT tỉnh)"
    assert {u.abbreviation for u in recipients[0]["units"]} == {"UBND", "BATGT"}

    created = client.post(url, _post_data(page))
    assert created.status_code == 302
    compiled = Document.objects.get(pk=created.url.rstrip("/").split("/")[-1])
    assert compiled.document_type.abbreviation == "BC"
    assert not hasattr(compiled, "assignment_report") or compiled.assignment_report is None
    compiled = _through_workflow(compiled, users, drafter=users.chuyenvien)
    assert set(compiled.receipts.values_list("unit__abbreviation", flat=True)) == {
        "UBND",
        "BATGT",
        "VT",
    }
    _acknowledge(compiled, "BATGT")
    assert compiled.receipts.get(unit__abbreviation="BATGT").status == "acknowledged"

    proposal = client.get(f"{CREATE}?tong-hop={plan.pk}&loai=ttr")
    assert proposal.status_code == 200
    assert proposal.context["form"].initial["document_type"].abbreviation == "TTr"
