"""Back up the database and the stored files together into one directory (documents.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from documents import backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và mọi tệp đã lưu (MEDIA_ROOT) vào một thư mục mới, kèm "
        "manifest.json ghi mã SHA-256 của từng tệp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Thư mục mới hoặc trống.")

    def handle(self, *args: object, **options: object) -> None:
        directory: Path = options["directory"]  # type: ignore[assignment]
        try:
            manifest = backup.backup_create(directory=directory)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        files = manifest["files"]
        self.stdout.write(
            _("Đã sao lưu %(n)d tệp (%(size)d byte, cơ sở dữ liệu %(engine)s) vào %(path)s.")
            % {
                "n": len(files),
                "size": sum(entry["size"] for entry in files),
                "engine": manifest["engine"],
                "path": directory,
            }
        )
