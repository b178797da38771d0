"""Export a closed case file's package for the archive (nộp lưu) to a ZIP file
(documents.records.casefile_package): its documents' files, cover, table of contents and
ho-so.xml checked against ho-so.xsd."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from documents.models import CaseFile
from documents.records import casefile_package


class Command(BaseCommand):
    help = "Kết xuất gói nộp lưu (ZIP) của một hồ sơ đã kết thúc."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_file", help="Mã số (id) của hồ sơ.")
        parser.add_argument("-o", "--output", type=Path, required=True, help="Tệp ZIP cần ghi.")
        parser.add_argument(
            "--user", default="", help="Tên đăng nhập của người kết xuất (ghi vào dấu in)."
        )

    def handle(self, *args: object, **options: object) -> None:
        raw = str(options["case_file"])
        case_file = None
        if raw.isdigit() and int(raw) < 2**63:
            case_file = CaseFile.objects.select_related("organization").filter(pk=int(raw)).first()
        if case_file is None:
            raise CommandError(_("Không có hồ sơ mã số %(id)s.") % {"id": raw})
        if case_file.status == CaseFile.Status.OPEN:
            raise CommandError(
                _("Hồ sơ %(code)s chưa kết thúc, chưa thể kết xuất.") % {"code": case_file.code}
            )
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("Không có người dùng %(u)s.") % {"u": options["user"]})
        output: Path = options["output"]  # type: ignore[assignment]
        try:
            content = casefile_package.build_package(case_file, user)
            output.write_bytes(content)
        except (casefile_package.PackageError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Đã ghi gói nộp lưu của hồ sơ %(code)s (%(size)d byte) vào %(path)s.")
            % {"code": case_file.code, "size": len(content), "path": output}
        )
