"""Back up the database and the stored files together; restore them into an empty installation.

A backup is one directory: the database (`database.sqlite3`, taken with SQLite's online backup
API, or `database.dump`, PostgreSQL's `pg_dump --format=custom`), every file under MEDIA_ROOT
in `media/`, and `manifest.json`, written last, listing every other file with its SHA-256 and
size, the database engine, the latest applied migration per app, the time and the app version.
The database is taken first: files are written before their rows and never replaced, so every
original the database names is already on disk when the files are copied.

A restore checks every file against the manifest before it changes anything, loads the
database and the files, then checks every stored original (renditions, attachments) against
the SHA-256 its row recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Attachment, Document, Rendition

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
CHUNK = 1024 * 1024
PROBLEMS_SHOWN = 20


class BackupError(Exception):
    """A backup or restore refused, with the reason for the operator."""


@dataclass
class RestoreReport:
    files: int
    originals_checked: int = 0
    problems: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


# --- Backup ---------------------------------------------------------------------------------


def backup_create(*, directory: Path, using: str = "default") -> dict[str, Any]:
    """Write one backup of the database and of every file under MEDIA_ROOT into a new or
    empty directory, then its manifest; returns the manifest."""
    connection = connections[using]
    engine = _engine(connection)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(
            _("Thư mục sao lưu %(path)s đã có dữ liệu; hãy chọn một thư mục mới hoặc trống.")
            % {"path": directory}
        )
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / DATABASE_FILES[engine]
    if engine == "sqlite":
        _sqlite_dump(connection, database)
    else:
        _postgres_dump(connection, database)
    names = [database.name, *_copy_tree(Path(settings.MEDIA_ROOT), directory / MEDIA, MEDIA)]
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": engine,
        "database": database.name,
        "migrations": _migration_state(connection),
        "app_version": _app_version(),
        "files": [_describe(directory, name) for name in names],
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            _("Chỉ sao lưu và khôi phục được SQLite và PostgreSQL, không phải %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _sqlite_dump(connection: BaseDatabaseWrapper, target: Path) -> None:
    # Through the app's own connection (an in-memory database included): the online backup
    # copies a consistent snapshot while other connections keep writing.
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        # One self-contained file, without the WAL mode copied from the live database.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _postgres_dump(connection: BaseDatabaseWrapper, target: Path) -> None:
    _run_postgres(["pg_dump", "--format=custom", "--file", str(target)], connection.settings_dict)


def _run_postgres(command: list[str], settings_dict: dict[str, Any]) -> None:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command += [option, str(settings_dict[key])]
    command += ["--dbname", str(settings_dict["NAME"])]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as error:
        raise BackupError(
            _("Không chạy được %(program)s: %(error)s") % {"program": command[0], "error": error}
        ) from error
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s thất bại: %(error)s")
            % {"program": command[0], "error": done.stderr.strip()[-2000:]}
        )


def _copy_tree(source: Path, target: Path, prefix: str) -> list[str]:
    """Copy every regular file under source; their names in the backup, in order."""
    names = []
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(source).as_posix()
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
        names.append(f"{prefix}/{relative}")
    return names


def _describe(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    return {"path": name, "sha256": file_sha256(path), "size": path.stat().st_size}


def _migration_state(connection: BaseDatabaseWrapper) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in (
        MigrationRecorder(connection).migration_qs.order_by("id").values_list("app", "name")
    ):
        latest[app] = name
    return latest


def _app_version() -> str | None:
    try:
        return metadata.version("van-thu")
    except metadata.PackageNotFoundError:
        return None


# --- Restore --------------------------------------------------------------------------------


def backup_restore(
    *, directory: Path, using: str = "default", force: bool = False
) -> RestoreReport:
    """Load a verified backup into an empty installation (or any, with force) and check every
    stored original against its recorded SHA-256."""
    manifest = manifest_read(directory)
    connection = connections[using]
    if manifest["engine"] != _engine(connection):
        raise BackupError(
            _("Bản sao lưu là của %(backup)s, còn cơ sở dữ liệu đang cấu hình là %(current)s.")
            % {"backup": manifest["engine"], "current": connection.vendor}
        )
    _ensure_known_migrations(manifest["migrations"])
    if not force:
        _ensure_empty(connection, Path(settings.MEDIA_ROOT))
    backup_verify(directory, manifest)
    database = directory / manifest["database"]
    connection.close()
    if manifest["engine"] == "sqlite":
        _sqlite_load(connection, database)
    else:
        _run_postgres(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(database),
            ],
            connection.settings_dict,
        )
    media = Path(settings.MEDIA_ROOT)
    for entry in manifest["files"]:
        name = PurePosixPath(entry["path"])
        if name.parts[0] == MEDIA:
            target = media.joinpath(*name.parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / name, target)
    report = RestoreReport(files=len(manifest["files"]))
    report.originals_checked, report.problems = originals_check(using=using)
    return report


def manifest_read(directory: Path) -> dict[str, Any]:
    """The manifest of a backup directory, its shape checked; BackupError when unusable."""
    if not directory.is_dir():
        raise BackupError(_("Không tìm thấy thư mục sao lưu %(path)s.") % {"path": directory})
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(
            _("Thiếu tệp %(name)s: bản sao lưu chưa hoàn tất hoặc không phải bản sao lưu.")
            % {"name": MANIFEST}
        ) from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _bad_manifest(str(error)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad_manifest(_("không đúng định dạng %(format)d") % {"format": FORMAT})
    engine, files = manifest.get("engine"), manifest.get("files")
    if engine not in DATABASE_FILES or manifest.get("database") != DATABASE_FILES[engine]:
        raise _bad_manifest(_("không rõ cơ sở dữ liệu"))
    if not isinstance(manifest.get("migrations"), dict) or not isinstance(files, list):
        raise _bad_manifest(_("thiếu trạng thái migration hoặc danh sách tệp"))
    for entry in files:
        if not (
            isinstance(entry, dict)
            and _safe_name(entry.get("path"), manifest["database"])
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int)
        ):
            raise _bad_manifest(_("mục tệp không hợp lệ: %(entry)s") % {"entry": entry})
    if manifest["database"] not in {entry["path"] for entry in files}:
        raise _bad_manifest(_("không liệt kê tệp cơ sở dữ liệu"))
    return manifest


def _bad_manifest(reason: str) -> BackupError:
    return BackupError(_("Tệp manifest.json không hợp lệ: %(reason)s.") % {"reason": reason})


def _safe_name(name: object, database: str) -> bool:
    """The database file, or a file under media/ that stays inside it."""
    if not isinstance(name, str) or "\\" in name:
        return False
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        return False
    return name == database or (path.parts[0] == MEDIA and len(path.parts) > 1)


def backup_verify(directory: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with its size and SHA-256, and no other."""
    problems = []
    listed = {entry["path"] for entry in manifest["files"]}
    for entry in manifest["files"]:
        path = directory / entry["path"]
        if not path.is_file():
            problems.append(_("Thiếu tệp %(name)s.") % {"name": entry["path"]})
        elif path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            problems.append(_("Tệp %(name)s đã bị thay đổi.") % {"name": entry["path"]})
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        if (path.is_file() or path.is_symlink()) and name != MANIFEST and name not in listed:
            problems.append(_("Tệp %(name)s không có trong manifest.json.") % {"name": name})
    if problems:
        raise BackupError(
            "\n".join(
                [
                    _("Bản sao lưu không toàn vẹn, không khôi phục (chưa thay đổi gì):"),
                    *problems[:PROBLEMS_SHOWN],
                ]
            )
        )


def _ensure_known_migrations(migrations: dict[str, Any]) -> None:
    """A backup made by newer code (a migration this code lacks) cannot be used by it."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = sorted(
        f"{app}.{name}"
        for app, name in migrations.items()
        if any(known_app == app for known_app, _name in known) and (app, name) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "Bản sao lưu có migration mà phiên bản này không có (%(names)s); hãy cài phiên "
                "bản mới hơn trước khi khôi phục."
            )
            % {"names": ", ".join(unknown)}
        )


def _ensure_empty(connection: BaseDatabaseWrapper, media: Path) -> None:
    try:
        has_documents = Document._meta.db_table in connection.introspection.table_names() and (
            Document.objects.using(connection.alias).exists()
        )
    except DatabaseError as error:
        raise BackupError(
            _("Không kết nối được cơ sở dữ liệu đích: %(error)s") % {"error": error}
        ) from error
    if has_documents:
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích đã có văn bản; chỉ khôi phục vào bản cài đặt trống "
                "(dùng --force để ghi đè)."
            )
        )
    if media.is_dir() and any(path.is_file() for path in media.rglob("*")):
        raise BackupError(
            _(
                "Thư mục tệp %(path)s không trống; chỉ khôi phục vào bản cài đặt trống "
                "(dùng --force để ghi đè)."
            )
            % {"path": media}
        )


def _sqlite_load(connection: BaseDatabaseWrapper, source: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("Không khôi phục được vào cơ sở dữ liệu SQLite trong bộ nhớ."))
    origin = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(name)
    try:
        origin.backup(destination)
    finally:
        destination.close()
        origin.close()


def originals_check(*, using: str = "default") -> tuple[int, list[str]]:
    """Every stored original (rendition, attachment) read back and hashed: how many were
    checked, and the problems (missing, or not the SHA-256 its row recorded)."""
    checked, problems = 0, []
    for model in (Rendition, Attachment):
        rows = model.objects.using(using).order_by("pk").values_list("file", "sha256")
        for name, expected in rows.iterator():
            checked += 1
            digest = hashlib.sha256()
            try:
                with default_storage.open(name, "rb") as stream:
                    for chunk in stream.chunks(CHUNK):
                        digest.update(chunk)
            except OSError:
                problems.append(_("Thiếu bản gốc %(name)s.") % {"name": name})
                continue
            if digest.hexdigest() != expected:
                problems.append(
                    _("Bản gốc %(name)s không khớp mã SHA-256 đã ghi.") % {"name": name}
                )
    return checked, problems
