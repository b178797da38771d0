"""Browser fixtures: Debian's chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("VANTHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "vanthu@2026"

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would
# refuse the ORM calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def compiled_messages():
    """The .mo files the UI needs (gitignored; the setup command compiles them too)."""
    call_command("compilemessages", ignore_patterns=[".venv", "*/site-packages/*"], verbosity=0)


# The browsers' package only: Playwright's sync API keeps an asyncio loop running in this
# thread while it is open, and the tests after this package sign PDFs with pyHanko, whose sync
# calls go through asyncio.run (refused while another loop runs in the thread).
@pytest.fixture(scope="package")
def browser(compiled_messages):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Person:
    """One person in their own browser context, recording every URL the page asks for."""

    def __init__(self, browser, base_url: str, username: str):
        self.username = username
        self.base_url = base_url
        # An English browser: the UI must still be Vietnamese by default.
        self.context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.requested: list[str] = []
        self.page.on("request", lambda request: self.requested.append(request.url))

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def login(self) -> Person:
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self.page.wait_for_load_state("networkidle")
        return self

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def person(browser, live_server):
    opened: list[Person] = []

    def open_as(username: str) -> Person:
        someone = Person(browser, live_server.url, username).login()
        opened.append(someone)
        return someone

    yield open_as
    for someone in opened:
        someone.close()


@pytest.fixture
def demo_live(transactional_db):
    """The demo data in the live server's (transactional) database."""
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
