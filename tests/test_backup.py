"""`manage.py backup` and `manage.py restore` (documents.backup): a real round trip on the
suite's database backend, and the refusals that change nothing.

The backup is taken in the test process from the committed test database (SQLite's online
backup of the in-memory database, or pg_dump of the PostgreSQL test database); the restore runs
as `manage.py restore` in a child process whose DATABASE_URL and DJANGO_MEDIA_ROOT point to an
empty installation: a new SQLite file, or a scratch PostgreSQL database vanthu_backup_* made
and dropped here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfWriter

from approvals import services
from documents import services as documents
from documents.models import Attachment, Document, Event, Receipt, Rendition
from tests.conftest import ISSUE_DATE

pytestmark = pytest.mark.django_db(transaction=True)

BASE = Path(settings.BASE_DIR)
DEADLINE = 120  # seconds; a safety net against a hung child, never an assertion on speed
DUMPED = ("documents", "approvals", "viewflow", "auth.user", "guardian")


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class Installation:
    """An installation the restore writes into: its DATABASE_URL, media folder, tables."""

    url: str
    media: Path
    tables: Callable[[], list[str]]

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings_test",
                "DATABASE_URL": self.url,
                "DJANGO_MEDIA_ROOT": str(self.media),
            }
        )
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=BASE,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )

    def media_files(self) -> list[str]:
        return sorted(p.relative_to(self.media).as_posix() for p in self.media.rglob("*"))


@pytest.fixture
def target(tmp_path) -> Iterator[Installation]:
    """An empty installation: a database nobody has migrated and an empty media folder."""
    media = tmp_path / "target-media"
    media.mkdir()
    if connection.vendor != "postgresql":
        path = tmp_path / "target.sqlite3"

        def sqlite_tables() -> list[str]:
            if not path.exists():
                return []
            with sqlite3.connect(path) as db:
                rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return sorted(name for (name,) in rows)

        yield Installation(f"sqlite:///{path}", media, sqlite_tables)
        return
    import psycopg
    from psycopg import sql

    params = connection.settings_dict
    name = f"vanthu_backup_{secrets.token_hex(6)}"
    server = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def postgres_tables() -> list[str]:
        with psycopg.connect(dbname=name, **server) as db:
            rows = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return sorted(table for (table,) in rows)

    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    url = f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT']}/{name}"
    try:
        yield Installation(url, media, postgres_tables)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def draft(users, seed_plan) -> Document:
    """The seed plan with an attachment, still a draft."""
    upload = SimpleUploadedFile("phu-luc.pdf", small_pdf(), content_type="application/pdf")
    documents.attachment_add(document=seed_plan, actor=users.chuyenvien, upload=upload)
    return seed_plan


@pytest.fixture
def office(draft, users) -> Document:
    """The seed plan with an attachment, signed off, issued and acknowledged by one unit."""
    seed_plan = draft
    services.document_submit(document=seed_plan, actor=users.chuyenvien, signer=users.phogiamdoc)
    services.document_decide(document=seed_plan, actor=users.phogiamdoc, decision="approve")
    services.document_issue(document=seed_plan, actor=users.vanthu, issued_on=ISSUE_DATE)
    receipt = seed_plan.receipts.select_related("unit__receiver").get(unit__abbreviation="VT")
    services.receipt_acknowledge(receipt=receipt, actor=receipt.unit.receiver)
    seed_plan.refresh_from_db()
    return seed_plan


def backup_here(directory: Path) -> Path:
    out = io.StringIO()
    call_command("backup", str(directory), stdout=out)
    assert "Đã sao lưu" in out.getvalue()
    return directory


@pytest.fixture
def backup_dir(office, tmp_path) -> Path:
    """A backup of the office: three originals (signed off, issued, the attachment)."""
    return backup_here(tmp_path / "backup")


@pytest.fixture
def small_backup(draft, tmp_path) -> Path:
    """A backup of the draft and its attachment, quicker to make for the refusals."""
    return backup_here(tmp_path / "backup")


def dumped(output: str) -> list[dict]:
    return json.loads(output)


def dump_here() -> list[dict]:
    out = io.StringIO()
    call_command("dumpdata", *DUMPED, stdout=out)
    return dumped(out.getvalue())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def originals_here() -> list[tuple[str, str]]:
    return [
        *Rendition.objects.order_by("pk").values_list("file", "sha256"),
        *Attachment.objects.order_by("pk").values_list("file", "sha256"),
    ]


def snapshot_here() -> dict:
    media = Path(settings.MEDIA_ROOT)
    return {
        "documents": list(Document.objects.order_by("pk").values_list("pk", "status", "number")),
        "events": Event.objects.count(),
        "receipts": list(Receipt.objects.order_by("pk").values_list("pk", "status")),
        "files": {p.relative_to(media).as_posix(): sha256(p) for p in media.rglob("*.*")},
    }


# --- The round trip -------------------------------------------------------------------------


def test_the_manifest_lists_every_file_with_its_hash_and_the_installation(backup_dir):
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["migrations"]["documents"].startswith("00")
    assert manifest["created_at"]
    assert "app_version" in manifest
    files = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {
        p.relative_to(backup_dir).as_posix()
        for p in backup_dir.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert set(files) == on_disk
    for name, entry in files.items():
        assert entry["sha256"] == sha256(backup_dir / name)
        assert entry["size"] == (backup_dir / name).stat().st_size
    # Both signed PDFs (signed off, issued) and the attachment are in the backup.
    assert {f"media/{name}" for name, _ in originals_here()} <= set(files)
    assert len(originals_here()) == 3


def test_a_backup_restored_into_an_empty_installation_is_the_same_office(backup_dir, target):
    done = target.manage("restore", str(backup_dir))

    assert done.returncode == 0, done.stderr
    assert "Đã kiểm tra 3 bản gốc: tất cả khớp mã SHA-256 đã ghi." in done.stdout
    restored = target.manage("dumpdata", *DUMPED)
    assert restored.returncode == 0, restored.stderr
    here = dump_here()
    assert dumped(restored.stdout) == here
    models = {row["model"] for row in here}
    assert {"documents.document", "documents.event", "documents.receipt"} <= models
    for name, recorded in originals_here():
        assert sha256(target.media / name) == recorded


# --- Refusals -------------------------------------------------------------------------------


def test_a_tampered_original_in_the_backup_is_refused_and_the_target_stays_empty(
    backup_dir, target
):
    name, _ = originals_here()[0]
    original = backup_dir / "media" / name
    original.write_bytes(original.read_bytes() + b"%")

    done = target.manage("restore", str(backup_dir))

    assert done.returncode != 0
    assert f"Tệp media/{name} đã bị thay đổi." in done.stderr
    assert "Traceback" not in done.stderr
    assert target.tables() == []
    assert target.media_files() == []


def test_restore_into_an_installation_with_documents_is_refused_and_changes_nothing(
    small_backup,
):
    before = snapshot_here()
    with pytest.raises(CommandError, match="đã có văn bản"):
        call_command("restore", str(small_backup))
    assert snapshot_here() == before


def test_restore_into_a_media_folder_with_files_is_refused(small_backup, target):
    (target.media / "someone-else.pdf").write_bytes(b"%PDF-1.4")

    done = target.manage("restore", str(small_backup))

    assert done.returncode != 0
    assert "không trống" in done.stderr
    assert target.media_files() == ["someone-else.pdf"]
    assert target.tables() == []


@pytest.mark.parametrize("damage", ["missing", "extra", "database"])
def test_even_with_force_an_incomplete_or_altered_backup_changes_nothing(small_backup, damage):
    database = next(small_backup.glob("database.*"))
    if damage == "missing":
        next((small_backup / "media").rglob("*.pdf")).unlink()
        expected = "Thiếu tệp media/"
    elif damage == "extra":
        (small_backup / "media" / "extra.pdf").write_bytes(b"%PDF-1.4")
        expected = "Tệp media/extra.pdf không có trong manifest.json."
    else:
        database.write_bytes(database.read_bytes()[:-1])
        expected = f"Tệp {database.name} đã bị thay đổi."
    before = snapshot_here()
    with pytest.raises(CommandError, match="không toàn vẹn") as refused:
        call_command("restore", str(small_backup), force=True)
    assert expected in str(refused.value)
    assert snapshot_here() == before


@pytest.mark.django_db  # refused before the database is read
def test_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy thư mục sao lưu"):
        call_command("restore", str(tmp_path / "khong-co"))
    with pytest.raises(CommandError, match="Thiếu tệp manifest.json"):
        call_command("restore", str(tmp_path))
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(CommandError, match="manifest.json không hợp lệ"):
        call_command("restore", str(tmp_path))
    manifest = {
        "format": 1,
        "engine": connection.vendor,
        "database": "database.sqlite3" if connection.vendor == "sqlite" else "database.dump",
        "migrations": {},
        "files": [{"path": "media/../../etc/passwd", "sha256": "0" * 64, "size": 1}],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="mục tệp không hợp lệ"):
        call_command("restore", str(tmp_path))


def test_a_backup_made_by_newer_code_is_refused(small_backup):
    manifest_path = small_backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"]["documents"] = "9999_from_the_future"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="documents.9999_from_the_future"):
        call_command("restore", str(small_backup), force=True)


@pytest.mark.django_db  # refused before the database is read
def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("backup", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["old.txt"]
