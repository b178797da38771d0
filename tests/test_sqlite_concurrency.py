"""Two issuances at the same moment on SQLite, the embedded default: the second waits.

On a real database file (the suite's in-memory database has one connection), two processes
each issue a signed document. The first holds its issuing transaction open until the second
has started its own; with SQLite's deferred transactions the second then failed at once with
"database is locked". With IMMEDIATE transactions and a busy timeout it waits its turn.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's own locking; PostgreSQL has row locks"
)

BASE = Path(settings.BASE_DIR)
DEADLINE = 180  # seconds; a safety net against a hung child, never an assertion on speed

# Two signed-off plans of the Văn phòng, ready for the văn thư to issue.
PREPARE = """
import django
django.setup()
from django.contrib.auth import get_user_model
from approvals import services
from documents import services as documents
from documents.models import DocumentType, Organization, Unit

users = {u.username: u for u in get_user_model().objects.all()}
for n in (1, 2):
    document = documents.document_create(
        actor=users["chuyenvien"],
        organization=Organization.objects.get(abbreviation="STTTT"),
        document_type=DocumentType.objects.get(abbreviation="KH"),
        subject=f"Kế hoạch thử ban hành đồng thời {n}",
        recipients=[documents.RecipientSpec("Lưu: VT", [Unit.objects.get(abbreviation="VT")])],
    )
    services.document_submit(
        document=document, actor=users["chuyenvien"], signer=users["phogiamdoc"]
    )
    services.document_decide(document=document, actor=users["phogiamdoc"], decision="approve")
    print("signed", document.pk, flush=True)
"""

# argv: document pk, "hold" or "go", the file whose appearance ends the hold.
ISSUE = """
import sys, time
from pathlib import Path
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from approvals import services
from documents.models import Document

pk, mode, release = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
vanthu = get_user_model().objects.get(username="vanthu")
document = Document.objects.get(pk=pk)
if mode == "hold":
    with transaction.atomic():
        services.document_issue(document=document, actor=vanthu)
        print("holding", flush=True)
        for _ in range(3000):
            if release.exists():
                break
            time.sleep(0.05)
else:
    print("starting", flush=True)
    services.document_issue(document=document, actor=vanthu)
document.refresh_from_db()
print("issued", document.notation, flush=True)
"""


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    """A migrated SQLite file with the demo data and two signed plans; the environment."""
    directory = tmp_path_factory.mktemp("sqlite_site")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{directory / 'vanthu.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(directory / "media"),
        "SIGNING_DIR": str(directory / "pki"),
        "EMAIL_URL": "dummymail://",
        "PYTHONUNBUFFERED": "1",
    }
    manage(env, "migrate", "-v0")
    manage(env, "loaddata", "document_types", "organisation", "demo_documents", "-v0")
    manage(env, "make_demo_pki")
    prepared = python(env, PREPARE)
    pks = [int(line.split()[1]) for line in prepared.splitlines() if line.startswith("signed ")]
    assert len(pks) == 2
    return env, pks, directory


def manage(env: dict, *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(  # noqa: S603
        command, cwd=BASE, env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert done.returncode == 0, done.stderr[-3000:]


def python(env: dict, script: str) -> str:
    command = [sys.executable, "-c", script]
    done = subprocess.run(  # noqa: S603
        command, cwd=BASE, env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_issue(env: dict, pk: int, mode: str, release: Path, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-c", ISSUE, str(pk), mode, str(release)]
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603
            command, cwd=BASE, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )


def wait_for(log: Path, marker: str, process: subprocess.Popen) -> None:
    """Until the child has written `marker`; fail with its output if it died first."""
    deadline = time.monotonic() + DEADLINE
    while marker not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def notation(log: Path) -> str:
    lines = [line for line in log.read_text().splitlines() if line.startswith("issued ")]
    assert len(lines) == 1, log.read_text()
    return lines[0].split()[1]


def test_the_database_file_runs_in_wal_mode_with_immediate_transactions(sqlite_site):
    env, _, _ = sqlite_site
    output = python(
        env,
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
        "print(connection.transaction_mode)\n",
    )
    assert output.split() == ["wal", "IMMEDIATE"]


def test_two_simultaneous_issuances_both_succeed_with_consecutive_numbers(sqlite_site):
    env, (first, second), directory = sqlite_site
    release = directory / "release"
    holder_log, waiter_log = directory / "holder.log", directory / "waiter.log"
    holder = start_issue(env, first, "hold", release, holder_log)
    try:
        wait_for(holder_log, "holding", holder)
        waiter = start_issue(env, second, "go", release, waiter_log)
        try:
            wait_for(waiter_log, "starting", waiter)
            time.sleep(1)  # let the second issuance reach the database (no assertion on time)
            # It cannot have issued: the first still holds the write lock.
            assert waiter.poll() is None, waiter_log.read_text()
            assert "issued" not in waiter_log.read_text()
            release.touch()
            assert holder.wait(timeout=DEADLINE) == 0, holder_log.read_text()
            assert waiter.wait(timeout=DEADLINE) == 0, waiter_log.read_text()
        finally:
            if waiter.poll() is None:
                waiter.kill()
    finally:
        if holder.poll() is None:
            holder.kill()

    for log in (holder_log, waiter_log):
        assert "OperationalError" not in log.read_text()
        assert "database is locked" not in log.read_text()
    assert notation(holder_log) == "01/KH-STTTT"
    assert notation(waiter_log) == "02/KH-STTTT"
