"""The whole lifecycle on the production stack, for real: scripts/serve.sh (gunicorn, the
Celery worker and beat) against PostgreSQL and Redis, driven over HTTP as the demo users.

The signed PDF originals are made off the request by documents.tasks.make_signed_original on
the worker. Part one takes the seed plan from draft to archived through the web pages, waiting
for each original as a person would (the page says "Đang tạo bản gốc có chữ ký số…" until it
is made). Part two runs the web server and the worker as separate roles (`serve.sh web`,
`serve.sh worker`, as the systemd units do): with no worker, an approved document waits for
its original and cannot be issued; once the worker runs, the originals come; a pool process
killed (SIGKILL) in the middle of the jobs leaves each document exactly one original and one
"rendered" event (acks late, rejected on a lost worker: the job runs again, and is safe to).

One scratch PostgreSQL database (vanthu_serve_<hex>, migrated and loaded with `manage.py
load_demo`, its throw-away certificates in a temporary SIGNING_DIR the worker reads) and Redis
db 5 (emptied before and after), both dropped afterwards. Skipped when PostgreSQL or Redis does
not answer at 127.0.0.1. Times are printed, never asserted.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis

from documents import pki, signing
from tests.test_serve import (
    BASE,
    REDIS_URL,
    SERVE,
    START_DEADLINE,
    STOP_DEADLINE,
    Served,
    descendants,
    free_port,
    reachable,
    running,
    scratch_installation,
)

PASSWORD = "vanthu@2026"
SEED_SUBJECT = "Phát động phong trào thi đua bảo đảm trật tự an toàn giao thông năm 2020"
PENDING = "Đang tạo bản gốc có chữ ký số"
ORIGINAL_DEADLINE = 60  # seconds for a signed original to be made; a safety net, not a speed test
EXTRA_DRAFTS = 4  # part two: enough jobs queued at once that the worker is busy when killed

# The worker's log line when a job reaches it (its banner lists the task's name too).
RECEIVED = re.compile(r"make_signed_original\[[0-9a-f-]+\] received")

# A job in the middle of making an original: it holds its document's row lock.
LOCKED = (
    "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) "
    "WHERE relation = 'documents_document'::regclass AND mode = 'RowShareLock' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND pid <> pg_backend_pid()"
)

pytestmark = [pytest.mark.once, pytest.mark.slow]


# --- the installation: a scratch database with the demo, Redis db 5, its folders -----------


def manage(env: dict[str, str], *args: str, timeout: int = 180) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stderr[-4000:]}"
    return done.stdout


def query(env: dict[str, str], code: str):
    """Run Python in `manage.py shell` against the scratch database; its last line, as JSON."""
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The environment of a production server on a scratch database holding the demo
    (organisation, users, the seed plan draft) and its signing certificates."""
    reason = reachable()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("lifecycle")
    # load_demo writes the certificates to SIGNING_DIR; the worker signs with them.
    with scratch_installation(directory) as env:
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        seed = query(
            env,
            "import json; from documents.models import Document; print(json.dumps("
            f"Document.objects.get(subject={SEED_SUBJECT!r}, origin='outgoing').pk))",
        )
        yield Site(env, directory, seed)


class Site:
    def __init__(self, env: dict[str, str], directory: Path, seed_pk: int):
        self.env = env
        self.directory = directory
        self.seed_pk = seed_pk
        self.trust_roots = pki.load_certificates(directory / "pki" / "ca.crt.pem")

    def state(self, pk: int) -> dict:
        """The document's status, its originals and its "rendered" events, from the database."""
        return query(
            self.env,
            "import json; from documents.models import Document; "
            f"d = Document.objects.get(pk={pk}); print(json.dumps({{'status': d.status, "
            "'renditions': sorted(d.renditions.values_list('kind', flat=True)), "
            "'rendered': sorted(e.data['rendition'] for e in d.events.filter(kind='rendered')), "
            "'failed': [e.data for e in d.events.filter(kind='render_failed')]}))",
        )

    def signatures(self, pdf: bytes) -> list[signing.SignatureReport]:
        assert pdf.startswith(b"%PDF-")
        return signing.verify_pdf(pdf, trust_roots=self.trust_roots)


# --- a person at a browser: cookies, CSRF, no automatic redirects ------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, username: str):
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        login = {"username": username, "password": PASSWORD}
        status, _headers, _body = self.post("/accounts/login/", login)
        assert status == 302, f"{username} could not log in ({status})"

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
        request.add_header("Accept-Language", "vi")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310

    def page(self, path: str) -> str:
        status, _headers, body = self.get(path)
        assert status == 200, f"GET {path} as {self.username}: {status}"
        return body.decode()

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def post(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """GET the form (the CSRF cookie), then POST it as the browser would."""
        self.get(path)
        return self.submit(path, data)

    def act(self, path: str, data: dict[str, str]) -> float:
        """A step's form: GET it, POST it; done when it answers with the redirect to the
        document. Returns the POST's wall time."""
        self.get(path)
        started = time.perf_counter()
        status, headers, body = self.submit(path, data)
        elapsed = time.perf_counter() - started
        assert status == 302, f"POST {path} as {self.username}: {status}\n{body[:3000]!r}"
        assert "/documents/" in headers["Location"]
        return elapsed

    def submit(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """POST with the CSRF token of the cookie, and the Referer a browser sends."""
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf_token()})
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + path,
            },
        )
        return self._open(request)

    def wait_for_original(self, pk: int) -> tuple[float, str]:
        """Reload the document page (as its data-vt-refresh does) until the original is made.
        Returns the seconds waited and the last page."""
        started = time.monotonic()
        while True:
            text = self.page(f"/documents/van-ban/{pk}/")
            assert "Không tạo được bản gốc có chữ ký số" not in text, text
            if PENDING not in text:
                return time.monotonic() - started, text
            assert time.monotonic() - started < ORIGINAL_DEADLINE, "the original never came"
            assert 'data-vt-refresh="3"' in text
            time.sleep(0.25)

    def pdf(self, pk: int) -> bytes:
        status, headers, body = self.get(f"/documents/van-ban/{pk}/pdf/")
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        return body


def issue_link(pk: int) -> str:
    return f'href="/documents/van-ban/{pk}/ban-hanh/"'


# --- part one: the seed plan from draft to archived on `serve.sh` ------------------------


@pytest.fixture
def stack(demo_site):
    """scripts/serve.sh: migrate, collectstatic, gunicorn, the worker and beat together."""
    with redis.Redis.from_url(REDIS_URL) as broker:
        broker.flushdb()
    served = Served(demo_site.env, demo_site.directory)
    try:
        yield served
    finally:
        children = served.children()
        if served.process.poll() is None:
            served.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                served.process.wait(timeout=STOP_DEADLINE)
        served.close()  # SIGKILLs the group if it is still there
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = {pid: cmd for pid, cmd in children.items() if running(pid)}
        assert not left, f"still running after serve.sh stopped: {left}"


def test_seed_plan_from_draft_to_archived_over_http_on_the_production_stack(demo_site, stack):
    begun = time.monotonic()
    stack.wait_healthy()
    print(f"\nserve.sh healthy after {time.monotonic() - begun:.1f}s")
    pk = demo_site.seed_pk
    page = f"/documents/van-ban/{pk}/"

    drafter = Browser(stack.base, "chuyenvien")
    signer_id = query(
        demo_site.env,
        "import json; from django.contrib.auth.models import User; "
        "print(json.dumps(User.objects.get(username='phogiamdoc').pk))",
    )
    drafter.act(f"/documents/van-ban/{pk}/trinh-ky/", {"signer": str(signer_id)})

    signer = Browser(stack.base, "phogiamdoc")
    approve = signer.act(
        f"/documents/van-ban/{pk}/ky-duyet/", {"decision": "approve", "comment": ""}
    )
    waited, text = signer.wait_for_original(pk)
    print(
        f"approve (sign-off) request: {approve * 1000:.0f} ms; signed-off original ready "
        f"{waited:.1f}s after it answered"
    )
    reports = demo_site.signatures(signer.pdf(pk))
    assert len(reports) == 1 and reports[0].ok, reports
    assert reports[0].signer == "Trần Thị Bình"

    clerk = Browser(stack.base, "vanthu")
    assert issue_link(pk) in clerk.page(page)
    issue = clerk.act(f"/documents/van-ban/{pk}/ban-hanh/", {"confirm": "on"})
    waited, text = clerk.wait_for_original(pk)
    print(f"issue request: {issue * 1000:.0f} ms; issued original ready {waited:.1f}s after")
    reports = demo_site.signatures(clerk.pdf(pk))
    assert len(reports) == 2 and all(report.ok for report in reports), reports
    assert demo_site.state(pk)["renditions"] == ["issued", "signed_off"]

    receipts = query(
        demo_site.env,
        "import json; from django.contrib.auth.models import User; "
        "from documents import permissions; from documents.models import Receipt; "
        "people = list(User.objects.filter(is_active=True).order_by('username')); "
        f"print(json.dumps([[r.pk, r.assignee.username if r.assignee else next(u.username "
        "for u in people if permissions.can_acknowledge(u, r))] for r in "
        f"Receipt.objects.filter(document_id={pk}).select_related('assignee', 'unit')]))",
    )
    assert len(receipts) >= 2, receipts
    browsers = {"vanthu": clerk}
    for receipt_pk, username in receipts:
        person = browsers.get(username) or browsers.setdefault(
            username, Browser(stack.base, username)
        )
        assert f'href="/documents/phieu-nhan/{receipt_pk}/"' in person.page(page)
        person.act(f"/documents/phieu-nhan/{receipt_pk}/", {"confirm": "on"})
    print(f"acknowledged {len(receipts)} receipts as {sorted(browsers)}")

    final = demo_site.state(pk)
    assert final["status"] == "archived", final
    assert final["renditions"] == ["issued", "signed_off"]
    assert final["rendered"] == ["issued", "signed_off"]  # each original made once
    assert "Đã lưu trữ" in drafter.page(page)
    print(f"lifecycle done in {time.monotonic() - begun:.1f}s")


# --- part two: the web and the worker as separate roles ----------------------------------


class Role:
    """`scripts/serve.sh <role>` in its own session, its output in a file."""

    def __init__(self, role: str, env: dict[str, str], directory: Path):
        self.role = role
        self.log = directory / f"{role}-{secrets.token_hex(3)}.log"
        self.output = self.log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [str(SERVE), role],
            cwd=BASE,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_DEADLINE)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # any pool process left behind
        self.output.close()


def queued_jobs(task: str = "documents.tasks.make_signed_original") -> int:
    """The messages of one task waiting in Redis (the e-mails wait there too)."""
    with redis.Redis.from_url(REDIS_URL) as broker:
        messages = broker.lrange("celery", 0, -1)
    return sum(json.loads(message)["headers"]["task"] == task for message in messages)


def test_without_a_worker_the_original_waits_and_a_killed_job_runs_again_once(demo_site):
    with redis.Redis.from_url(REDIS_URL) as broker:
        broker.flushdb()
    begun = time.monotonic()
    port = free_port()
    env = {**demo_site.env, "VANTHU_BIND": f"127.0.0.1:{port}"}
    base = f"http://127.0.0.1:{port}"
    roles: list[Role] = []
    try:
        web = Role("web", env, demo_site.directory)
        roles.append(web)
        documents = query(
            env,
            "import json; from django.contrib.auth.models import User; "
            "from approvals import services as workflow; from documents import services; "
            "from documents.models import Document; "
            f"seed = Document.objects.get(pk={demo_site.seed_pk}); "
            "drafter = User.objects.get(username='chuyenvien'); "
            "signer = User.objects.get(username='phogiamdoc'); "
            "lines = [services.RecipientSpec(text=line.text, units=list(line.units.all())) "
            "for line in seed.recipient_lines.order_by('position')]; "
            "made = [services.document_create(actor=drafter, organization=seed.organization, "
            "document_type=seed.document_type, subject=f'Kế hoạch thử số {i}', body=seed.body, "
            f"recipients=lines) for i in range({1 + EXTRA_DRAFTS})]; "
            "[workflow.document_submit(document=d, actor=drafter, signer=signer) for d in made]; "
            "print(json.dumps([d.pk for d in made]))",
        )
        first = documents[0]
        deadline = time.monotonic() + START_DEADLINE
        while True:
            assert web.process.poll() is None, f"serve.sh web exited:\n{web.text()[-4000:]}"
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"web never answered:\n{web.text()[-4000:]}"
            time.sleep(0.5)
        print(f"\nserve.sh web answering after {time.monotonic() - begun:.1f}s (no worker)")

        signer = Browser(base, "phogiamdoc")
        times = [
            signer.act(f"/documents/van-ban/{pk}/ky-duyet/", {"decision": "approve", "comment": ""})
            for pk in documents
        ]
        print("approve requests with no worker: " + ", ".join(f"{t * 1000:.0f} ms" for t in times))
        assert queued_jobs() == len(documents)  # one job per document, waiting in Redis

        clerk = Browser(base, "vanthu")
        text = clerk.page(f"/documents/van-ban/{first}/")
        assert PENDING in text and 'data-vt-refresh="3"' in text
        assert issue_link(first) not in text
        assert PENDING in signer.page(f"/documents/van-ban/{first}/")
        # The form itself refuses too: nothing to issue from until the original is made.
        status, _headers, body = clerk.post(
            f"/documents/van-ban/{first}/ban-hanh/", {"confirm": "on"}
        )
        assert status in (403, 422), status
        print(f"issue POST before the original: {status}")
        time.sleep(2)  # long enough for a job to have run, had anything taken it
        assert demo_site.state(first)["status"] == "signed"
        assert demo_site.state(first)["renditions"] == []
        assert queued_jobs() == len(documents)

        # The worker starts; while a job holds its document's lock (SELECT … FOR UPDATE, the
        # original half made), every pool process is killed. (Not the worker's main process:
        # then the message stays unacked in Redis until the visibility timeout, an hour.)
        worker = Role("worker", env, demo_site.directory)
        roles.append(worker)
        started = time.monotonic()
        deadline = started + START_DEADLINE
        with psycopg.connect(demo_site.env["DATABASE_URL"], autocommit=True) as watcher:
            while not watcher.execute(LOCKED).fetchone()[0]:
                assert worker.process.poll() is None, worker.text()[-4000:]
                assert time.monotonic() < deadline, f"no job ever ran:\n{worker.text()[-4000:]}"
                time.sleep(0.02)
            pool = descendants(worker.process.pid)
            assert pool, "no pool process to kill"
            for pid in pool:
                os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic() - started
        assert RECEIVED.search(worker.text())
        print(
            f"worker: a job held its document's lock {killed_at:.1f}s after start; SIGKILLed "
            f"its pool processes {sorted(pool)}"
        )

        waited, text = clerk.wait_for_original(first)
        print(f"signed-off original of the first document ready {waited:.1f}s after the kill")
        assert issue_link(first) in text
        for pk in documents:
            deadline = time.monotonic() + ORIGINAL_DEADLINE
            while PENDING in signer.page(f"/documents/van-ban/{pk}/"):
                assert time.monotonic() < deadline, f"document {pk}: no original"
                time.sleep(0.25)
        lost = worker.text().count("WorkerLostError")
        print(f"worker log: {lost} mention(s) of WorkerLostError (a job killed mid-way)")
        assert lost >= 1, worker.text()[-4000:]
        for pk in documents:
            state = demo_site.state(pk)
            assert state["renditions"] == ["signed_off"], (pk, state)
            assert state["rendered"] == ["signed_off"], (pk, state)  # made once, logged once
            assert not state["failed"], (pk, state)
            reports = demo_site.signatures(signer.pdf(pk))
            assert len(reports) == 1 and reports[0].ok, (pk, reports)

        # Issuing works now, and its original comes from the worker as well.
        clerk.act(f"/documents/van-ban/{first}/ban-hanh/", {"confirm": "on"})
        waited, _text = clerk.wait_for_original(first)
        print(f"issued original ready {waited:.1f}s after the issue request")
        reports = demo_site.signatures(clerk.pdf(first))
        assert len(reports) == 2 and all(report.ok for report in reports), reports
        state = demo_site.state(first)
        assert state["status"] == "issued" and state["rendered"] == ["issued", "signed_off"]
        print(f"part two done in {time.monotonic() - begun:.1f}s")
    finally:
        everything = {pid for role in roles for pid in descendants(role.process.pid)}
        everything |= {role.process.pid for role in roles}
        for role in reversed(roles):
            role.stop()
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in everything) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [pid for pid in everything if running(pid)]
        assert not left, f"still running: {left}"
