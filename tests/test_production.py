"""Production mode: DEBUG off, static files collected and served by whitenoise, error pages
in Vietnamese.

The server is the project's own settings (config.settings, not the test settings) with
DJANGO_DEBUG=0, run as `manage.py runserver` in a child process on 127.0.0.1, on a fresh
SQLite file with the demo data; the static files are those `collectstatic` wrote.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

# Independent of the test database's backend: CI runs it in the SQLite pass only.
pytestmark = pytest.mark.once

BASE = Path(settings.BASE_DIR)
PASSWORD = "vanthu@2026"
DEADLINE = 180  # seconds; a safety net against a hung child, never an assertion on speed
DEBUG_PAGE_MARKERS = ("Using the URLconf", "Traceback", "DEBUG = True", "Page not found at")


def manage(env: dict, *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(  # noqa: S603
        command, cwd=BASE, env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Environment of a production install: DEBUG off, its own key, collected static files."""
    directory = tmp_path_factory.mktemp("production")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "AXES_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            # Plain HTTP on 127.0.0.1 here; behind TLS the default (secure cookies) stays.
            "DJANGO_SECURE_COOKIES": "false",
            "DATABASE_URL": f"sqlite:///{directory / 'vanthu.sqlite3'}",
            "DJANGO_STATIC_ROOT": str(directory / "static"),
            "DJANGO_MEDIA_ROOT": str(directory / "media"),
            "SIGNING_DIR": str(directory / "pki"),
            "EMAIL_URL": "dummymail://",
            "PYTHONUNBUFFERED": "1",
        }
    )
    manage(env, "collectstatic", "--noinput", "-v0")
    return env, directory


@pytest.fixture(scope="module")
def server(production):
    """`manage.py runserver` with the production settings; its base URL."""
    env, directory = production
    manage(env, "migrate", "-v0")
    manage(env, "loaddata", "document_types", "organisation", "demo_documents", "-v0")
    port = free_port()
    log = directory / "server.log"
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=BASE, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + DEADLINE
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


class Browser:
    """A cookie-keeping HTTP client that reports every status instead of raising."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf_token(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def login(self, username: str) -> Browser:
        status, _, _ = self.request("/accounts/login/")
        assert status == 200
        status, headers, _ = self.request(
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.csrf_token(),
            },
        )
        assert status == 302, "login refused"
        assert headers["Location"] == "/"
        return self


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def assert_no_debug_page(text: str) -> None:
    for marker in DEBUG_PAGE_MARKERS:
        assert marker not in text


# --- collectstatic ------------------------------------------------------------------------


def test_collectstatic_publishes_hashed_files_without_the_broken_font_tree(production):
    _, directory = production
    manifest = json.loads((directory / "static" / "staticfiles.json").read_text())["paths"]
    assert re.fullmatch(
        r"viewflow/css/viewflow\.min\.[0-9a-f]{12}\.css", manifest["viewflow/css/viewflow.min.css"]
    )
    assert "approvals/vanthu.css" in manifest
    # The font stylesheet the pages load, with every font it names.
    assert "viewflow/fonts/roboto/roboto-fontface.css" in manifest
    assert "viewflow/fonts/roboto/Roboto-Thin.woff2" in manifest
    assert not [name for name in manifest if "node_modules" in name]


# --- pages served with DEBUG off -----------------------------------------------------------


def test_login_page_and_its_static_files_are_served(server):
    browser = Browser(server)
    status, _, text = browser.request("/accounts/login/")
    assert status == 200
    assert "Đăng nhập" in text
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', text)
    assert "/static/approvals/vanthu.css" not in stylesheets  # hashed names, not the plain ones
    assert any(re.search(r"viewflow\.min\.[0-9a-f]{12}\.css$", href) for href in stylesheets)
    for href in stylesheets:
        status, headers, body = browser.request(href)
        assert status == 200, href
        assert headers["Content-Type"].startswith("text/css")
        assert "immutable" in headers.get("Cache-Control", "")
        assert body.strip()


def test_an_unknown_address_is_a_vietnamese_404_not_the_debug_page(server):
    status, _, text = Browser(server).request("/khong-co-trang-nay/")
    assert status == 404
    assert "Không tìm thấy trang hoặc văn bản" in text
    assert_no_debug_page(text)


def test_a_missing_static_file_is_a_404(server):
    status, _, _ = Browser(server).request("/static/approvals/khong-co.css")
    assert status == 404


@pytest.mark.parametrize(
    ("username", "path", "expected"),
    [
        ("chuyenvien", "/documents/", "Việc của tôi"),
        ("chuyenvien", "/documents/van-ban/", "Văn bản"),
        ("chuyenvien", "/documents/van-ban/2/", "Phát động phong trào thi đua"),
        ("chuyenvien", "/documents/van-ban/soan-thao/", "Trích yếu"),
        ("chuyenvien", "/accounts/password_change/", "Đổi mật khẩu"),
        ("vanthu", "/documents/thong-bao/", "Thông báo"),
        ("phogiamdoc", "/document/inbox/", "Văn bản"),
    ],
)
def test_signed_in_pages_render(server, username, path, expected):
    status, _, text = Browser(server).login(username).request(path)
    assert status == 200, text[-2000:]
    assert expected in text
    assert "Lỗi hệ thống" not in text


def test_a_document_one_may_not_see_is_a_vietnamese_404(server):
    # The seed plan is a draft of the Văn phòng: Công an tỉnh's liaison may not see it.
    status, _, text = Browser(server).login("congan").request("/documents/van-ban/2/")
    assert status == 404
    assert "Văn bản không tồn tại, hoặc bạn không có quyền xem văn bản này." in text
    assert "Phát động phong trào thi đua" not in text
    assert_no_debug_page(text)


def test_the_lockout_page_is_served_in_vietnamese(server):
    browser = Browser(server)
    browser.request("/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        status, _, text = browser.request(
            "/accounts/login/",
            {
                "username": "ttbcxb",
                "password": "sai-mat-khau",
                "csrfmiddlewaretoken": browser.csrf_token(),
            },
        )
    assert status == 429
    assert "Tạm khoá đăng nhập" in text


# --- the 500 page ---------------------------------------------------------------------------


def test_the_500_page_renders_in_vietnamese_without_any_context():
    # Django's handler500 renders 500.html with no context and no request processors.
    request = RequestFactory().get("/")
    with translation.override("vi"):
        response = defaults.server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Lỗi hệ thống" in text
    assert "Đã có lỗi xảy ra. Vui lòng thử lại sau hoặc báo cho quản trị hệ thống." in text
    assert '<html lang="vi">' in text
