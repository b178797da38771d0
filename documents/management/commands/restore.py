"""Restore a backup into an empty installation and check every stored original
(documents.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from documents import backup


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu vào bản cài đặt trống: kiểm tra mọi tệp theo manifest.json, "
        "nạp cơ sở dữ liệu và các tệp, rồi kiểm tra mã SHA-256 của từng bản gốc."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Thư mục do lệnh backup tạo.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Khôi phục cả khi cơ sở dữ liệu đã có văn bản hoặc thư mục tệp không trống.",
        )

    def handle(self, *args: object, **options: object) -> None:
        directory: Path = options["directory"]  # type: ignore[assignment]
        try:
            report = backup.backup_restore(directory=directory, force=bool(options["force"]))
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Đã khôi phục %(n)d tệp từ %(path)s.") % {"n": report.files, "path": directory}
        )
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(
                _("%(bad)d trong %(n)d bản gốc bị thiếu hoặc không khớp mã SHA-256.")
                % {"bad": len(report.problems), "n": report.originals_checked}
            )
        self.stdout.write(
            _("Đã kiểm tra %(n)d bản gốc: tất cả khớp mã SHA-256 đã ghi.")
            % {"n": report.originals_checked}
        )
