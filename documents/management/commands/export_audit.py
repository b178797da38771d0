"""Export the trail of one document or one period as JSON (events and the checkpoints that
seal them, with their signatures) or CSV (events), for verification outside Văn thư:
``python documents/audit_format.py trail.json --trust ca.pem`` (docs/security.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from documents.management import arguments
from documents.models import Document
from documents.trail import export as trail_export


class Command(BaseCommand):
    help = _(
        "Xuất nhật ký xử lý của một văn bản hoặc một khoảng thời gian (JSON hoặc CSV) để kiểm "
        "tra độc lập."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--document", help=_("Mã (id) hoặc số, ký hiệu văn bản, ví dụ 01/KH-STTTT.")
        )
        parser.add_argument("--from", dest="start", help=_("Từ ngày, dạng dd/mm/yyyy."))
        parser.add_argument("--to", dest="end", help=_("Đến ngày, dạng dd/mm/yyyy."))
        parser.add_argument("--format", choices=("json", "csv"), default="json")
        parser.add_argument("--output", "-o", help=_("Tệp ghi ra (mặc định: màn hình)."))

    def handle(self, *args: object, **options: object) -> None:
        reference = options.get("document")
        start, end = arguments.day(options.get("start")), arguments.day(options.get("end"))
        if reference and (start or end):
            raise CommandError(_("Chọn hoặc một văn bản, hoặc một khoảng thời gian."))
        if not reference and not (start or end):
            raise CommandError(_("Cần --document hoặc --from/--to."))
        if start and end and start > end:
            raise CommandError(_("Ngày bắt đầu sau ngày kết thúc."))
        document = self._document(str(reference)) if reference else None
        exported = trail_export.export(document=document, start=start, end=end)
        if options["format"] == "csv":
            text = trail_export.to_csv(exported)
        else:
            text = json.dumps(exported, ensure_ascii=False, indent=1) + "\n"
        output = options.get("output")
        if output:
            try:
                Path(str(output)).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(
                    _("Không ghi được tệp %(path)s: %(error)s") % {"path": output, "error": error}
                ) from error
            self.stderr.write(
                _("Đã xuất %(events)d sự kiện, %(checkpoints)d điểm niêm phong vào %(path)s.")
                % {
                    "events": len(exported["events"]),
                    "checkpoints": len(exported["checkpoints"]),
                    "path": output,
                }
            )
        else:
            self.stdout.write(text, ending="")

    @staticmethod
    def _document(reference: str) -> Document:
        query = Document.objects.filter(notation=reference)
        if reference.isdigit():
            query = Document.objects.filter(pk=int(reference))
        found = list(query.order_by("pk")[:2])
        if not found:
            raise CommandError(_("Không có văn bản %(ref)s.") % {"ref": reference})
        if len(found) > 1:  # the same number in two years: ask for the id
            raise CommandError(
                _("Có nhiều văn bản %(ref)s; dùng mã (id) của văn bản, ví dụ --document %(id)d.")
                % {"ref": reference, "id": found[0].pk}
            )
        return found[0]
