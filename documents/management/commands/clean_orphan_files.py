"""Find the files no row refers to under renditions/ and attachments/, and remove them.

A file is written before its row (a row never lacks its file), and deleted again when its
transaction rolls back; a process killed between the two leaves the file alone on disk.
Lists by default; --delete removes. Files younger than --min-age minutes are left alone: they
may belong to a transaction still running. A row whose file is missing is reported and makes
the command fail, as does a file that cannot be removed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Attachment, Rendition

FOLDERS = ("renditions", "attachments")


def stored_files(storage: Storage, folder: str) -> Iterator[str]:
    """Every file under a folder of the storage, by storage name."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from stored_files(storage, f"{folder}/{directory}")


class Command(BaseCommand):
    help = (
        "Liệt kê (và với --delete thì xóa) các tệp trong renditions/ và attachments/ không "
        "thuộc văn bản nào; trả mã lỗi khác 0 nếu có lỗi."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="Xóa các tệp thừa tìm thấy.")
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="Chỉ xét tệp cũ hơn số phút này (mặc định 60).",
        )

    def handle(self, *args: object, **options: object) -> None:
        storage = default_storage
        delete = bool(options["delete"])
        min_age: int = options["min_age"]  # type: ignore[assignment]
        cutoff = timezone.now() - dt.timedelta(minutes=min_age)
        referenced = {
            *Rendition.objects.values_list("file", flat=True),
            *Attachment.objects.values_list("file", flat=True),
        }
        errors = 0
        found = 0
        for name in (name for folder in FOLDERS for name in stored_files(storage, folder)):
            if name in referenced or storage.get_modified_time(name) > cutoff:
                continue
            found += 1
            if not delete:
                self.stdout.write(_("Tệp thừa: %(name)s") % {"name": name})
                continue
            try:
                storage.delete(name)
            except OSError as error:
                errors += 1
                self.stderr.write(
                    _("Không xóa được %(name)s: %(error)s") % {"name": name, "error": error}
                )
            else:
                self.stdout.write(_("Đã xóa: %(name)s") % {"name": name})
        for name in sorted(referenced):
            if not storage.exists(name):
                errors += 1
                self.stderr.write(_("Thiếu tệp của văn bản: %(name)s") % {"name": name})
        if not found:
            self.stdout.write(_("Không có tệp thừa."))
        elif not delete:
            self.stdout.write(
                _("%(count)d tệp thừa; chạy lại với --delete để xóa.") % {"count": found}
            )
        if errors:
            raise CommandError(_("%(count)d lỗi.") % {"count": errors})
