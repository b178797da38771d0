"""Databases of the benchmark: one per data size, on SQLite files or PostgreSQL databases.

The size-``n`` database is a copy of the previous size's database, extended by the generator,
so the largest size costs one generation. Switching between them is closing the default
connection and changing its NAME: measurements interleave sizes in one process.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"


def prepare_process() -> None:
    """What a benchmark process needs from the settings: the test client's host, no e-mail
    leaving the machine, and a media folder of its own (the template PDFs)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.MEDIA_ROOT = str(BENCH_DIR / "media")
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class Backend:
    """The configured database engine, and where the per-size databases live."""

    vendor: str  # "sqlite" or "postgresql"
    base_name: str  # PostgreSQL: the database we connect to for CREATE DATABASE

    @classmethod
    def current(cls) -> Backend:
        vendor = connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise SystemExit(f"unsupported database vendor: {vendor}")
        return cls(vendor=vendor, base_name=str(connection.settings_dict["NAME"]))

    def name_for(self, label: str) -> str:
        if self.vendor == "sqlite":
            directory = BENCH_DIR / "sqlite"
            directory.mkdir(parents=True, exist_ok=True)
            return str(directory / f"bench-{label}.sqlite3")
        return f"{self.base_name}_{label}"

    def use(self, name: str) -> None:
        """Point the default connection at another database."""
        connection.close()
        connection.settings_dict["NAME"] = name
        ContentType.objects.clear_cache()

    def create_empty(self, name: str) -> None:
        """A new database with the project's migrations applied."""
        if self.vendor == "sqlite":
            self.use(name)
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
            self.use(name)
        call_command("migrate", verbosity=0, interactive=False)

    def copy(self, source: str, target: str) -> None:
        """A copy of a whole database (SQLite file copy, PostgreSQL TEMPLATE)."""
        if self.vendor == "sqlite":
            connection.close()  # the last connection closing checkpoints the WAL
            for suffix in ("-wal", "-shm"):
                Path(target + suffix).unlink(missing_ok=True)
            shutil.copyfile(source, target)
        else:
            self._admin(
                f'DROP DATABASE IF EXISTS "{target}"',
                f'CREATE DATABASE "{target}" TEMPLATE "{source}"',
            )
        self.use(target)

    def exists(self, name: str) -> bool:
        if self.vendor == "sqlite":
            return Path(name).exists()
        self.use(self.base_name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None

    def analyze(self) -> None:
        """Planner statistics and, on PostgreSQL, the visibility map (index-only scans read
        no table row), as autovacuum (or SQLite's PRAGMA optimize) keeps them on a live
        system."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if self.vendor == "postgresql" else "ANALYZE")

    def _admin(self, *statements: str) -> None:
        self.use(self.base_name)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        connection.close()

    def version(self) -> str:
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.execute("SELECT sqlite_version()")
                return "SQLite " + cursor.fetchone()[0]
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0]
