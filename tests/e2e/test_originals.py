"""In a browser: the Phó Giám đốc approves and gets the page back at once; the page says the
signed original is being made and shows it, without a reload, once the worker has made it.
The job is held here (the worker away), then run, as the worker would."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from playwright.sync_api import expect

from approvals import services
from config import jobs
from documents.models import Document, Event
from tests.conftest import SEED_SUBJECT
from tests.e2e.test_lifecycle import decide, open_seed_from_home

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_approving_returns_at_once_and_the_page_shows_the_original_when_made(
    demo_live, person, screenshots, monkeypatch, jobs_after_commit
):
    held: list = []
    monkeypatch.setattr(
        jobs, "after_commit", lambda task, *args, **kwargs: held.append((task, args, kwargs))
    )
    users = {u.username: u for u in get_user_model().objects.all()}
    plan = Document.objects.get(subject=SEED_SUBJECT, origin=Document.Origin.OUTGOING)
    services.document_submit(document=plan, actor=users["chuyenvien"], signer=users["phogiamdoc"])

    deputy = person("phogiamdoc")
    open_seed_from_home(deputy, "to-sign")
    started = time.perf_counter()
    decide(deputy, "approve")
    expect(deputy.page.get_by_test_id("status")).to_have_text("Đã ký duyệt, chờ ban hành")
    print(f"approve, click to page shown: {(time.perf_counter() - started) * 1000:.0f} ms")
    waiting = deputy.page.get_by_test_id("original-pending")
    expect(waiting).to_contain_text("Đang tạo bản gốc có chữ ký số")
    expect(deputy.page.get_by_test_id("pdf-sha256")).to_have_count(0)
    deputy.page.screenshot(path=screenshots / "10-phogiamdoc-dang-tao-ban-goc.png", full_page=True)
    originals = [job for job in held if job[0].name == "documents.tasks.make_signed_original"]
    assert len(originals) == 1  # and the e-mails, left out here

    def worker() -> None:  # the worker's turn, in a thread of its own as on a worker
        # (pyHanko signs through asyncio.run, which Playwright's loop in this thread refuses)
        try:
            for task, args, kwargs in originals:
                task.apply(args=args, kwargs=kwargs, throw=True)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=60)
    made = plan.events.get(kind=Event.Kind.RENDERED)
    # No reload by the test: the page shows itself again until the original is there.
    expect(deputy.page.get_by_test_id("pdf-sha256")).to_contain_text(
        made.data["pdf_sha256"], timeout=15_000
    )
    expect(deputy.page.get_by_test_id("original-pending")).to_have_count(0)
    deputy.page.screenshot(path=screenshots / "11-phogiamdoc-ban-goc-da-ky.png", full_page=True)
