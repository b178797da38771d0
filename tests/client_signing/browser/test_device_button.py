"""In a browser: after sign-off the Phó Giám đốc's page waits for their device; they click
"Ký số bằng thiết bị của bạn", the page's script asks the signing service on 127.0.0.1
(the emulator, answering the CORS preflight of the page's origin) and posts the signature;
the page then shows the signed original. A service holding another key is refused on the
page, and nothing is stored."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from approvals import services
from documents import signing
from documents.models import Document, PendingSignature
from tests.conftest import SEED_SUBJECT
from tests.e2e.test_lifecycle import decide, open_seed_from_home

from ..emulator import SigningService

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def in_thread(work):
    """pyHanko's sync calls go through asyncio.run, refused in Playwright's thread."""
    result: dict = {}

    def run() -> None:
        try:
            result["value"] = work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result["value"]


def test_the_signer_signs_with_the_device_from_the_page(
    demo_live, person, screenshots, settings, signing_keys
):
    keys = signing_keys / "signers"
    users = {u.username: u for u in get_user_model().objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])
    with (
        SigningService(keys / "phogiamdoc.key.pem", keys / "phogiamdoc.crt.pem") as service,
        SigningService(keys / "giamdoc.key.pem", keys / "phogiamdoc.crt.pem") as wrong,
    ):
        settings.SIGNING = {
            **settings.SIGNING,
            "SIGNERS": {
                "phogiamdoc": {"mode": "client", "cert_file": str(keys / "{username}.crt.pem")}
            },
            "CLIENT_SERVICE_URL": wrong.url,
        }
        deputy = person("phogiamdoc")
        open_seed_from_home(deputy, "to-sign")
        decide(deputy, "approve")
        expect(deputy.page.get_by_test_id("status")).to_have_text("Đã ký duyệt, chờ ban hành")
        waiting = deputy.page.get_by_test_id("original-pending")
        # The job prepares the PDF after the commit; a cold first render (fonts) takes seconds.
        expect(waiting).to_contain_text("Chờ người ký ký số bằng thiết bị", timeout=30_000)
        button = deputy.page.get_by_test_id("device-sign")
        expect(button).to_have_text("Ký số bằng thiết bị của bạn")

        # A token with another key: refused on the page, nothing stored.
        button.click()
        status = deputy.page.get_by_test_id("device-sign-status")
        expect(status).to_have_attribute("data-state", "error")
        expect(status).to_contain_text("không khớp với chứng thư số đã đăng ký")
        assert len(wrong.requests) == 1 and not plan.renditions.exists()
        assert PendingSignature.objects.filter(document=plan).exists()
        deputy.page.screenshot(path=screenshots / "40-ky-so-thiet-bi-sai-khoa.png", full_page=True)

        # The right token.
        settings.SIGNING = {**settings.SIGNING, "CLIENT_SERVICE_URL": service.url}
        deputy.page.reload()
        deputy.page.get_by_test_id("device-sign").click()
        expect(deputy.page.get_by_test_id("pdf-sha256")).to_be_visible(timeout=30_000)
        expect(deputy.page.get_by_test_id("original-pending")).to_have_count(0)
        assert len(service.requests) == 1
    deputy.page.screenshot(path=screenshots / "41-ky-so-thiet-bi-xong.png", full_page=True)
    rendition = plan.renditions.get()
    assert rendition.sha256 in deputy.page.get_by_test_id("pdf-sha256").inner_text()

    def verify():
        with rendition.file.open("rb") as handle:
            return signing.verify_pdf(handle.read())

    (report,) = in_thread(verify)
    assert report.ok and report.signer == "Trần Thị Bình"
