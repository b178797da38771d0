"""The web UI through real HTTP: each role's screen, refusals (403/404), form messages."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from viewflow.workflow.models import Task

from approvals import services
from approvals.flows import DocumentFlow
from documents import services as documents
from documents.models import Attachment, Document, Event
from tests.conftest import SEED_SUBJECT, snapshot

PASSWORD = "vanthu@2026"


def detail(plan) -> str:
    return f"/documents/van-ban/{plan.pk}/"


def sign_off_url(plan) -> str:
    return f"/documents/van-ban/{plan.pk}/ky-duyet/"


# --- everyone must log in; Vietnamese by default ------------------------------------


def test_anonymous_is_sent_to_the_login_page(demo):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_vietnamese_even_for_an_english_browser(demo):
    response = Client(headers={"accept-language": "en-US,en"}).get("/accounts/login/")
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert '<html lang="vi"' in response.text


def test_login_with_the_demo_password_opens_the_work_summary(demo):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "chuyenvien", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Việc của tôi" in response.text


# --- each role's work summary --------------------------------------------------------


def test_drafter_sees_their_draft_and_the_compose_button(client_for, seed_plan):
    response = client_for("chuyenvien").get("/documents/")
    assert "Dự thảo của tôi" in response.text
    assert SEED_SUBJECT in response.text
    assert "Soạn văn bản" in response.text


def test_deputy_sees_the_document_awaiting_sign_off(client_for, submitted):
    response = client_for("phogiamdoc").get("/documents/")
    assert "Văn bản chờ ký duyệt" in response.text
    assert SEED_SUBJECT in response.text
    assert "Soạn văn bản" not in response.text


def test_other_leader_does_not_see_it(client_for, submitted):
    response = client_for("giamdoc").get("/documents/")
    assert SEED_SUBJECT not in response.text
    assert "Hiện không có việc nào" in response.text


def test_drafter_sees_a_returned_document(client_for, submitted, users):
    services.document_decide(
        document=submitted, actor=users.phogiamdoc, decision="return", comment="Sửa lại phần II."
    )
    response = client_for("chuyenvien").get("/documents/")
    assert "Văn bản bị trả lại để chỉnh sửa" in response.text
    assert SEED_SUBJECT in response.text
    # What the signer asked for is there at once, not only in the timeline.
    assert 'data-testid="return-comment">Sửa lại phần II.</div>' in response.text
    page = client_for("chuyenvien").get(detail(submitted)).text
    notice = re.search(r'data-testid="decline">(.*?)</div>', page, re.S)
    assert notice, "no return notice on the document page"
    assert "Trả lại để chỉnh sửa" in notice.group(1)
    assert "Trần Thị Bình" in notice.group(1)
    assert "Sửa lại phần II." in notice.group(1)


def test_a_rejected_document_says_why_on_its_page(client_for, submitted, users):
    services.document_decide(
        document=submitted, actor=users.phogiamdoc, decision="reject", comment="Không phù hợp."
    )
    page = client_for("chuyenvien").get(detail(submitted)).text
    notice = re.search(r'data-testid="decline">(.*?)</div>', page, re.S)
    assert notice and "Không duyệt" in notice.group(1) and "Không phù hợp." in notice.group(1)


def test_no_decline_notice_once_resubmitted(client_for, submitted, users):
    services.document_decide(
        document=submitted, actor=users.phogiamdoc, decision="return", comment="Sửa lại phần II."
    )
    services.document_submit(document=submitted, actor=users.chuyenvien, signer=users.phogiamdoc)
    assert 'data-testid="decline"' not in client_for("chuyenvien").get(detail(submitted)).text


def test_clerk_sees_documents_to_issue(client_for, submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    response = client_for("vanthu").get("/documents/")
    assert "Văn bản chờ cho số, ban hành" in response.text
    assert f"/documents/van-ban/{submitted.pk}/ban-hanh/" in response.text


def test_each_recipient_unit_sees_its_receipt(client_for, issued):
    for username in ("congan", "chanhvanphong", "ttbcxb", "bcvtcntt", "trungtam", "vanthu"):
        response = client_for(username).get("/documents/")
        assert "chờ xác nhận" in response.text, username
        assert "01/KH-STTTT" in response.text, username
    assert "01/KH-STTTT" not in client_for("bantatgt").get("/documents/").text


def menu_work_count(response) -> int:
    """The number beside "Việc của tôi" in the menu."""
    match = re.search(
        r"Việc của tôi</span>\s*<span class=\"mdc-list-item__meta\">(\d+)</span>", response.text
    )
    assert match, "no work count beside Việc của tôi"
    return int(match.group(1))


def test_menu_counts_what_waits_for_each_role(client_for, submitted, users):
    assert menu_work_count(client_for("phogiamdoc").get("/documents/")) == 1
    assert menu_work_count(client_for("vanthu").get("/documents/")) == 0
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    assert menu_work_count(client_for("phogiamdoc").get("/documents/")) == 0
    # The document to issue is the văn thư's work, though not in viewflow's inbox.
    assert menu_work_count(client_for("vanthu").get("/documents/")) == 1
    services.document_issue(document=submitted, actor=users.vanthu)
    # Now the văn thư has the "Lưu: VT" receipt to acknowledge; Công an its own.
    assert menu_work_count(client_for("vanthu").get("/documents/van-ban/")) == 1
    assert menu_work_count(client_for("congan").get("/documents/")) == 1
    assert menu_work_count(client_for("bantatgt").get("/documents/")) == 0


def test_the_work_summary_is_computed_once_per_page(client_for, submitted, monkeypatch):
    from approvals import selectors

    calls = []
    original = selectors.work_summary

    def counted(user):
        calls.append(user.username)
        return original(user)

    monkeypatch.setattr(selectors, "work_summary", counted)
    response = client_for("phogiamdoc").get("/documents/")
    assert "Văn bản chờ ký duyệt" in response.text
    assert menu_work_count(response) == 1
    assert calls == ["phogiamdoc"]


def test_inbox_lists_the_receivers_acknowledge_task_without_n_plus_one(
    client_for, issued, django_assert_max_num_queries
):
    client = client_for("congan")
    with django_assert_max_num_queries(25):
        response = client.get("/document/inbox/")
    assert response.status_code == 200
    assert SEED_SUBJECT in response.text
    assert "Xác nhận đã nhận văn bản" in response.text


# --- viewflow's screens are scoped to the person -------------------------------------


def test_process_list_and_task_list_hide_other_peoples_documents(client_for, submitted):
    for path in ("/document/flows/", "/document/tasks/"):
        assert SEED_SUBJECT in client_for("phogiamdoc").get(path).text, path
        assert SEED_SUBJECT not in client_for("congan").get(path).text, path


def test_process_detail_is_the_document_page_and_404_when_invisible(client_for, submitted):
    process = submitted.processes.get()
    response = client_for("phogiamdoc").get(f"/document/{process.pk}/")
    assert response.status_code == 302
    assert response["Location"] == detail(submitted)
    assert client_for("congan").get(f"/document/{process.pk}/").status_code == 404
    assert client_for("congan").get(f"/document/{process.pk}/chart/").status_code == 404


def test_dashboard_redirects_to_the_persons_inbox(client_for, demo):
    response = client_for("congan").get("/document/")
    assert response.status_code == 302
    assert response["Location"].endswith("/document/inbox/")


def test_queue_counter_uses_model_permission_not_object_grants(client_for, submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    assert SEED_SUBJECT in client_for("vanthu").get("/document/queue/").text
    assert SEED_SUBJECT not in client_for("chuyenvien").get("/document/queue/").text


def select_names(response) -> set[str]:
    """The names of the filter form's choice fields (viewflow renders <vf-field-select>)."""
    return set(re.findall(r'<vf-field-select[^>]*name="([^"]+)"', response.text))


def test_task_lists_filter_by_step_date_and_document_never_by_a_list_of_processes(
    client_for, issued
):
    """viewflow's inbox filter was a <select> of every process with an open task of the
    person (VIEWFLOW.md, trap 18): the step, a period and the search box replace it."""
    from viewflow.workflow.fields import get_task_ref

    client = client_for("congan")
    page = client.get("/document/inbox/")
    assert select_names(page) == {"flow_task", "created"}
    assert "acknowledge" in page.text  # the steps, from the flow's nodes
    acknowledge, sign_off = (
        get_task_ref(DocumentFlow.acknowledge),
        get_task_ref(DocumentFlow.sign_off),
    )
    for query, shown in [
        ({"flow_task": acknowledge}, True),
        ({"flow_task": sign_off}, False),
        ({"created": "today"}, True),
        ({"created": "week"}, True),
        ({"created": "yesterday"}, False),
        ({"_search": "trật tự giao thông"}, True),
        ({"_search": issued.notation}, True),
        ({"_search": "không có văn bản này"}, False),
    ]:
        assert (SEED_SUBJECT in client.get("/document/inbox/", query).text) is shown, query


def test_archive_queue_task_and_process_lists_have_bounded_filters(client_for, issued):
    from viewflow.workflow.fields import get_task_ref

    deputy = client_for("phogiamdoc")
    archive = deputy.get("/document/archive/")
    assert select_names(archive) == {"flow_task", "created", "finished"}
    assert SEED_SUBJECT in archive.text
    assert SEED_SUBJECT in deputy.get("/document/archive/", {"finished": "today"}).text
    assert SEED_SUBJECT not in deputy.get("/document/archive/", {"finished": "yesterday"}).text
    assert select_names(client_for("vanthu").get("/document/queue/")) == {"flow_task", "created"}

    tasks = deputy.get("/document/tasks/")
    assert select_names(tasks) == {"flow_task", "status", "created", "finished"}
    # Every task, finished ones too; "Chưa xong" narrows to the open ones.
    sign_off = {"flow_task": get_task_ref(DocumentFlow.sign_off)}
    assert SEED_SUBJECT in deputy.get("/document/tasks/", sign_off).text
    assert SEED_SUBJECT not in deputy.get("/document/tasks/", {**sign_off, "finished": "open"}).text
    assert SEED_SUBJECT in deputy.get("/document/tasks/", {"status": "DONE"}).text
    assert SEED_SUBJECT not in deputy.get("/document/tasks/", {"_search": "không có"}).text

    flows = deputy.get("/document/flows/")
    assert select_names(flows) == {"status", "created", "finished"}
    assert SEED_SUBJECT in flows.text
    assert SEED_SUBJECT in deputy.get("/document/flows/", {"finished": "open"}).text
    assert SEED_SUBJECT not in deputy.get("/document/flows/", {"status": "DONE"}).text
    assert SEED_SUBJECT in deputy.get("/document/flows/", {"_search": "thi đua"}).text
    # Bad values are ignored, never a 500.
    for path in ("/document/inbox/", "/document/tasks/", "/document/flows/"):
        response = deputy.get(path, {"created": "x", "flow_task": "x", "status": "x"})
        assert response.status_code == 200, path


def test_viewflow_lists_do_not_write_the_session_on_every_view(client_for, submitted):
    """viewflow pinned each list's path in the session (a write per page view) for task pages
    that are not mounted here."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("phogiamdoc")
    for path in ("/document/inbox/", "/document/archive/", "/document/tasks/", "/document/flows/"):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        writes = [q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"]]
        assert writes == [], path
        assert "vf-pin-location" not in client.session, path


def test_no_one_cancels_a_process_the_url_does_not_exist(client_for, submitted, users):
    process = submitted.processes.get()
    before = snapshot(submitted)
    for username in ("phogiamdoc", "quantri"):
        response = client_for(username).post(f"/document/{process.pk}/cancel/")
        assert response.status_code == 404
    assert snapshot(submitted) == before
    assert not Task.objects.filter(process=process, status="CANCELED").exists()


# --- document pages: 404 for invisible, 403 for visible but not actionable -------------


def test_document_page_shows_content_recipients_and_timeline(client_for, submitted):
    response = client_for("phogiamdoc").get(detail(submitted))
    assert response.status_code == 200
    text = response.text
    assert "I. MỤC ĐÍCH, YÊU CẦU" in text
    assert "Công an tỉnh" in text
    assert "Quá trình xử lý" in text
    assert "Trình ký" in text


def test_someone_who_may_not_see_a_document_gets_404_in_vietnamese(client_for, seed_plan):
    response = client_for("congan").get(detail(seed_plan))
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text


def test_signer_cannot_edit_the_draft_403(client_for, submitted):
    before = snapshot(submitted)
    response = client_for("phogiamdoc").post(
        f"/documents/van-ban/{submitted.pk}/sua/", {"subject": "Khác", "document_type": 1}
    )
    assert response.status_code == 403
    assert "không thể chỉnh sửa" in response.text
    assert snapshot(submitted) == before


def test_drafter_cannot_issue_403_and_nothing_changes(client_for, submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    before = snapshot(submitted)
    response = client_for("chuyenvien").post(
        f"/documents/van-ban/{submitted.pk}/ban-hanh/", {"confirm": "on"}
    )
    assert response.status_code == 403
    assert "Chỉ văn thư" in response.text
    assert snapshot(submitted) == before


def test_other_leader_cannot_open_the_sign_off_task(client_for, submitted):
    # The Giám đốc sees the agency's documents once issued; a draft submitted to his deputy
    # is not his to see (404), let alone to sign.
    before = snapshot(submitted)
    response = client_for("giamdoc").post(sign_off_url(submitted), {"decision": "approve"})
    assert response.status_code == 404
    assert snapshot(submitted) == before


# --- forms: Vietnamese messages, no crash --------------------------------------------


def test_return_without_comment_is_refused_with_a_message(client_for, submitted):
    before = snapshot(submitted)
    client = client_for("phogiamdoc")
    page = client.get(sign_off_url(submitted))
    assert page.status_code == 200
    assert "I. MỤC ĐÍCH, YÊU CẦU" in page.text  # the whole document before the decision
    response = client.post(sign_off_url(submitted), {"decision": "return", "comment": "  "})
    assert response.status_code == 422
    assert "Phải ghi ý kiến khi trả lại văn bản." in response.text
    assert snapshot(submitted) == before


def test_rejection_without_reason_is_refused_with_a_message(client_for, submitted):
    response = client_for("phogiamdoc").post(sign_off_url(submitted), {"decision": "reject"})
    assert response.status_code == 422
    assert "Phải ghi lý do khi không duyệt văn bản." in response.text


def test_sign_off_without_decision_is_refused_with_a_message(client_for, submitted):
    response = client_for("phogiamdoc").post(sign_off_url(submitted), {})
    assert response.status_code == 422
    assert "Hãy chọn: ký duyệt, trả lại hoặc không duyệt." in response.text


def test_return_with_comment_goes_back_to_the_drafter(client_for, submitted):
    response = client_for("phogiamdoc").post(
        sign_off_url(submitted), {"decision": "return", "comment": "Bổ sung thời gian."}
    )
    assert response.status_code == 302
    assert response["Location"] == detail(submitted)
    submitted.refresh_from_db()
    assert submitted.status == Document.Status.RETURNED
    assert submitted.events.filter(kind=Event.Kind.RETURNED, comment="Bổ sung thời gian.").exists()


def test_compose_without_subject_or_recipients_shows_messages(client_for, demo):
    count = Document.objects.count()
    response = client_for("chuyenvien").post(
        "/documents/van-ban/soan-thao/",
        {
            "document_type": "",
            "subject": "",
            "recipients-TOTAL_FORMS": "2",
            "recipients-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    assert "Hãy chọn loại văn bản." in response.text
    assert "Trích yếu không được để trống." in response.text
    assert "Văn bản phải có ít nhất một nơi nhận." in response.text
    assert Document.objects.count() == count


def test_a_drafter_without_a_unit_is_told_why_and_nothing_is_saved(client_for, users, seed_plan):
    from documents.models import Unit

    users.chuyenvien.profile.delete()
    police = Unit.objects.get(abbreviation="CA")
    count = Document.objects.count()
    upload = SimpleUploadedFile(
        "du-toan.pdf", b"%PDF-1.4\n" + "Dự toán".encode(), "application/pdf"
    )
    response = client_for("chuyenvien").post(
        "/documents/van-ban/soan-thao/",
        {
            "document_type": seed_plan.document_type_id,
            "subject": "Kế hoạch thử nghiệm",
            "attachment": upload,
            "recipients-TOTAL_FORMS": "1",
            "recipients-INITIAL_FORMS": "0",
            "recipients-0-text": "Công an tỉnh",
            "recipients-0-units": [police.pk],
        },
    )
    assert response.status_code == 422
    assert "chưa gắn với đơn vị nào của cơ quan" in response.text
    assert Document.objects.count() == count
    assert Attachment.objects.count() == 0


def test_compose_creates_a_draft_with_recipients_and_attachment(client_for, users, seed_plan):
    from documents.models import Unit

    police = Unit.objects.get(abbreviation="CA")
    upload = SimpleUploadedFile(
        "du-toan.pdf", b"%PDF-1.4\n" + "Dự toán kinh phí".encode(), "application/pdf"
    )
    response = client_for("chuyenvien").post(
        "/documents/van-ban/soan-thao/",
        {
            "document_type": seed_plan.document_type_id,
            "subject": "Kế hoạch thử nghiệm",
            "body": "Nội dung.",
            "urgency": "khan",
            "confidentiality": "",
            "attachment": upload,
            "recipients-TOTAL_FORMS": "2",
            "recipients-INITIAL_FORMS": "0",
            "recipients-0-text": "Công an tỉnh",
            "recipients-0-units": [police.pk],
            "recipients-1-text": "",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(subject="Kế hoạch thử nghiệm")
    assert response["Location"] == detail(document)
    assert document.drafter == users.chuyenvien
    assert document.urgency == "khan"
    assert [line.text for line in document.recipient_lines.all()] == ["Công an tỉnh"]
    assert document.attachments.get().original_name == "du-toan.pdf"


def test_submit_page_sends_the_draft_to_the_chosen_leader(client_for, seed_plan, users):
    client = client_for("chuyenvien")
    refused = client.post(f"/documents/van-ban/{seed_plan.pk}/trinh-ky/", {})
    assert refused.status_code == 422
    assert "Hãy chọn lãnh đạo ký văn bản." in refused.text
    response = client.post(
        f"/documents/van-ban/{seed_plan.pk}/trinh-ky/", {"signer": users.phogiamdoc.pk}
    )
    assert response.status_code == 302
    seed_plan.refresh_from_db()
    assert seed_plan.status == Document.Status.SUBMITTED
    assert seed_plan.signer == users.phogiamdoc


def test_issue_page_requires_the_confirmation_then_numbers(client_for, submitted, users):
    services.document_decide(document=submitted, actor=users.phogiamdoc, decision="approve")
    client = client_for("vanthu")
    refused = client.post(f"/documents/van-ban/{submitted.pk}/ban-hanh/", {})
    assert refused.status_code == 422
    assert "Hãy xác nhận trước khi ban hành." in refused.text
    response = client.post(f"/documents/van-ban/{submitted.pk}/ban-hanh/", {"confirm": "on"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.notation == "01/KH-STTTT"


# --- receipts ------------------------------------------------------------------------


def test_only_the_person_given_the_receipt_acknowledges_it(client_for, issued, users):
    receipt = issued.receipts.get(unit__abbreviation="VP")
    assert receipt.assignee == users.chanhvanphong  # the unit's designated receiver
    # chuyenvien is a member of Văn phòng but was not given the receipt.
    before = snapshot(issued)
    refused = client_for("chuyenvien").post(
        f"/documents/phieu-nhan/{receipt.pk}/", {"confirm": "on"}
    )
    assert refused.status_code == 403
    assert "được giao cho người khác" in refused.text
    assert snapshot(issued) == before
    response = client_for("chanhvanphong").post(
        f"/documents/phieu-nhan/{receipt.pk}/", {"confirm": "on"}
    )
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.status == "acknowledged"
    assert receipt.acknowledged_by == users.chanhvanphong


def test_the_unit_head_hands_the_receipt_to_a_member_who_acknowledges(client_for, issued, users):
    receipt = issued.receipts.get(unit__abbreviation="VP")
    receipt_link = f'href="/documents/phieu-nhan/{receipt.pk}/"'
    # "Việc của tôi": the receipt waits for the head, not for the member, until handed over.
    assert receipt_link in client_for("chanhvanphong").get("/documents/").text
    assert receipt_link not in client_for("chuyenvien").get("/documents/").text
    head = client_for("chanhvanphong")
    page = head.get(f"/documents/phieu-nhan/{receipt.pk}/")
    assert 'data-testid="hand-over-form"' in page.text
    response = head.post(
        f"/documents/phieu-nhan/{receipt.pk}/giao/", {"assignee": users.chuyenvien.pk}
    )
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.assignee == users.chuyenvien
    event = issued.events.get(kind=Event.Kind.HANDED_OVER)
    assert event.actor == users.chanhvanphong
    assert event.data["to"] == "Nguyễn Văn An"
    task = Task.objects.get(
        process__documentprocess__document=issued,
        flow_task=DocumentFlow.acknowledge,
        data__receipt=receipt.pk,
    )
    assert task.owner == users.chuyenvien
    assert receipt_link in client_for("chuyenvien").get("/documents/").text
    # The head no longer holds it; the member acknowledges.
    assert head.post(f"/documents/phieu-nhan/{receipt.pk}/", {"confirm": "on"}).status_code == 403
    done = client_for("chuyenvien").post(f"/documents/phieu-nhan/{receipt.pk}/", {"confirm": "on"})
    assert done.status_code == 302
    receipt.refresh_from_db()
    assert receipt.acknowledged_by == users.chuyenvien


def test_a_member_cannot_hand_over_and_no_one_hands_to_an_outsider(client_for, issued, users):
    receipt = issued.receipts.get(unit__abbreviation="VP")
    before = snapshot(issued)
    member = client_for("chuyenvien").post(
        f"/documents/phieu-nhan/{receipt.pk}/giao/", {"assignee": users.chuyenvien.pk}
    )
    assert member.status_code == 403
    outsider = client_for("chanhvanphong").post(
        f"/documents/phieu-nhan/{receipt.pk}/giao/", {"assignee": users.congan.pk}
    )
    assert outsider.status_code == 422
    assert "không thuộc đơn vị nhận" in outsider.text
    assert snapshot(issued) == before
    receipt.refresh_from_db()
    assert receipt.assignee == users.chanhvanphong


def test_receipt_of_another_unit_is_404(client_for, issued):
    receipt = issued.receipts.get(unit__abbreviation="VP")
    for method in ("get", "post"):
        response = getattr(client_for("congan"), method)(f"/documents/phieu-nhan/{receipt.pk}/")
        assert response.status_code == 404
        assert "Không tìm thấy" in response.text
    receipt.refresh_from_db()
    assert receipt.status == "pending"


def test_acknowledging_twice_is_403_with_a_message(client_for, issued):
    receipt = issued.receipts.get(unit__abbreviation="CA")
    client = client_for("congan")
    assert client.post(f"/documents/phieu-nhan/{receipt.pk}/", {"confirm": "on"}).status_code == 302
    again = client.post(f"/documents/phieu-nhan/{receipt.pk}/", {"confirm": "on"})
    assert again.status_code == 403
    assert "Đơn vị đã xác nhận nhận văn bản này." in again.text
    assert issued.events.filter(kind=Event.Kind.ACKNOWLEDGED).count() == 1


def test_acknowledge_without_the_checkbox_shows_a_message(client_for, issued):
    receipt = issued.receipts.get(unit__abbreviation="CA")
    response = client_for("congan").post(f"/documents/phieu-nhan/{receipt.pk}/", {})
    assert response.status_code == 422
    assert "Hãy đánh dấu xác nhận đã nhận văn bản." in response.text


# --- attachments ---------------------------------------------------------------------


@pytest.fixture
def attachment(seed_plan, users, settings, tmp_path) -> Attachment:
    settings.MEDIA_ROOT = tmp_path
    return documents.attachment_add(
        document=seed_plan,
        actor=users.chuyenvien,
        upload=SimpleUploadedFile(
            "phu-luc.pdf", b"%PDF-1.4\n" + "Phụ lục".encode(), "application/pdf"
        ),
    )


def test_drafter_downloads_the_attachment(client_for, attachment):
    response = client_for("chuyenvien").get(f"/documents/tep-dinh-kem/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n" + "Phụ lục".encode()
    assert "phu-luc.pdf" in response["Content-Disposition"]


def test_someone_who_cannot_see_the_document_cannot_download_404(client_for, attachment):
    response = client_for("congan").get(f"/documents/tep-dinh-kem/{attachment.pk}/")
    assert response.status_code == 404


def test_recipient_unit_may_download_after_issuance(client_for, attachment, users):
    plan = attachment.document
    assert client_for("congan").get(f"/documents/tep-dinh-kem/{attachment.pk}/").status_code == 404
    services.document_submit(document=plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=plan, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=plan, actor=users.vanthu)
    assert client_for("congan").get(f"/documents/tep-dinh-kem/{attachment.pk}/").status_code == 200


# --- language ------------------------------------------------------------------------


def test_english_is_available_through_the_language_switch(client_for, demo):
    client = client_for("chuyenvien")
    client.post("/i18n/setlang/", {"language": "en", "next": "/document/inbox/"})
    response = client.get("/document/inbox/")
    assert '<html lang="en"' in response.text


def test_menu_names_the_person_family_name_first_with_position(client_for, demo):
    page = client_for("phogiamdoc").get("/documents/").content.decode()
    assert "Trần Thị Bình" in page
    assert "Bình Trần Thị" not in page
    assert "Phó Giám đốc, Ban Giám đốc" in page


def test_document_page_sets_the_body_like_the_pdf(client_for, seed_plan):
    page = client_for("chuyenvien").get(detail(seed_plan)).content.decode()
    assert "<strong>Đã uống rượu, bia, không lái xe</strong>" in page
    assert "**" not in page
    assert 'class="vt-block vt-block--section">I. MỤC ĐÍCH, YÊU CẦU</p>' in page
