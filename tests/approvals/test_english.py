"""The English UI: our own strings come from locale/en (msgids are Vietnamese), while the
document itself, as printed and as shown on screen, stays Vietnamese."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from documents.rendering.parts import document_parts
from documents.rendering.pdf import render_html


@pytest.fixture
def english(client, users):
    """The drafter, logged in, who chose English (the cookie the language switch sets)."""
    client.force_login(users.chuyenvien)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def assert_english(html: str, english: list[str], vietnamese: list[str]) -> None:
    missing = [text for text in english if text not in html]
    left = [text for text in vietnamese if text in html]
    assert not missing, f"English labels missing: {missing}"
    assert not left, f"Vietnamese labels left: {left}"


def test_home_page_is_english(english, seed_plan):
    html = page(english, "/")
    assert '<html lang="en"' in html
    assert_english(
        html,
        ["My tasks", "My drafts", "New document", "Document list"],
        ["Việc của tôi", "Dự thảo của tôi", "Soạn văn bản", "Danh sách văn bản"],
    )
    assert seed_plan.subject in html  # the document's own content is not translated


def test_document_list_is_english(english, seed_plan):
    html = page(english, reverse("documents:document_list"))
    assert_english(
        html,
        ["Number and notation", "Summary (trích yếu)", "Document type", "Status", "Draft"],
        ["Số, ký hiệu", "Loại văn bản", "Trạng thái", "Danh sách văn bản"],
    )


def test_document_detail_is_english_but_the_document_stays_vietnamese(english, seed_plan):
    html = page(english, reverse("documents:document_detail", args=[seed_plan.pk]))
    assert_english(
        html,
        [
            "Drafter:",
            "Submit for signature",
            "Download DOCX",
            "Processing history",
            "Recipients and acknowledgement status",
        ],
        ["Người soạn thảo:", "Tải bản DOCX", "Quá trình xử lý", "Nơi nhận và tình trạng xác nhận"],
    )
    # The on-screen copy of the document keeps its printed labels (Decree 30 layout).
    for printed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nơi nhận:",
        "Số: …/KH-",
    ]:
        assert printed in html


def test_language_switch_turns_the_ui_english(client, users, seed_plan):
    client.force_login(users.chuyenvien)
    assert "Việc của tôi" in page(client, "/")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert_english(page(client, "/"), ["My tasks"], ["Việc của tôi"])


def test_printed_document_stays_vietnamese_in_english_mode(seed_plan):
    with translation.override("en"):
        html = render_html(document_parts(seed_plan))
    for printed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nơi nhận",
        "Số",
        "DỰ THẢO",
    ]:
        assert printed in html
    assert "Recipients" not in html


def test_what_leaves_the_office_stays_vietnamese_when_the_actor_works_in_english(
    seed_plan, users
):
    from django.utils import translation

    from approvals import services
    from approvals.models import Notification
    from documents import signing
    from documents.models import Rendition

    with translation.override("en"):
        services.document_submit(
            document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc
        )
        services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    pdf = seed_plan.renditions.get(kind=Rendition.Kind.SIGNED_OFF).file.read()
    (report,) = signing.verify_pdf(pdf, trust_roots=signing.trust_roots())
    assert report.reason == "Ký duyệt"
    message = Notification.objects.filter(recipient=users.phogiamdoc).latest("pk").message
    assert "ký duyệt" in message


def test_the_signers_choices_are_actions_in_english_and_states_stay_states(
    client, users, seed_plan
):
    from approvals import services
    from tests.approvals.test_views import sign_off_url

    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    client.force_login(users.phogiamdoc)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, sign_off_url(seed_plan))
    assert_english(html, ["Approve and sign", "Return for revision", "Reject"], [])
    assert "Returned for revision" not in html
    # In Vietnamese the same words serve both.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = page(client, sign_off_url(seed_plan))
    assert "Trả lại để chỉnh sửa" in html and "Không duyệt" in html
