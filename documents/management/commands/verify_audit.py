"""Check the whole audit trail: every chain link, the checkpoints and their signatures, and
every stored original and attachment against the hash the trail recorded (documents.trail).
Exits 1 naming the first thing that was altered, removed or put out of order, 0 when it all
holds. For cron or an inspector; read-only."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from documents import trail
from documents.models import Event

SHOWN = 20  # findings printed; the count says how many more


class Command(BaseCommand):
    help = _(
        "Kiểm tra nhật ký xử lý: chuỗi mã băm, các điểm niêm phong và chữ ký, tệp lưu trữ. "
        "Thoát với mã 1 và nêu chỗ đầu tiên bị sửa, xoá hoặc chèn sai thứ tự."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-files",
            action="store_true",
            help=_("Không kiểm tra các tệp lưu trữ (bản gốc, tệp đính kèm)."),
        )
        parser.add_argument(
            "--no-signatures",
            action="store_true",
            help=_("Không kiểm tra chữ ký số (điểm niêm phong, bản gốc)."),
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help=_("Luôn hiện thanh tiến độ (mặc định: chỉ khi chạy ở terminal)."),
        )

    def handle(self, *args: object, **options: object) -> None:
        total = Event.objects.count()
        show = bool(options["progress"]) or sys.stderr.isatty()
        bar = tqdm(total=total, unit=" sự kiện", disable=not show, file=sys.stderr, mininterval=0.5)
        started = time.perf_counter()
        with bar:
            report = trail.verify(
                files=not options["no_files"],
                signatures=not options["no_signatures"],
                progress=bar.update,
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            _(
                "Đã kiểm tra %(events)d sự kiện trong %(chains)d chuỗi, %(checkpoints)d điểm "
                "niêm phong, %(files)d tệp, %(signatures)d chữ ký (%(seconds).1f giây)."
            )
            % {
                "events": report.events,
                "chains": report.chains,
                "checkpoints": report.checkpoints,
                "files": report.files,
                "signatures": report.signatures,
                "seconds": elapsed,
            }
        )
        if report.ok:
            self.stdout.write(_("Nhật ký nguyên vẹn."))
            return
        for finding in report.findings[:SHOWN]:
            self.stderr.write(str(finding))
        if len(report.findings) > SHOWN:
            self.stderr.write(
                _("… và %(count)d phát hiện khác.") % {"count": len(report.findings) - SHOWN}
            )
        raise CommandError(
            _("Nhật ký KHÔNG nguyên vẹn: %(count)d phát hiện; đầu tiên: %(first)s")
            % {"count": len(report.findings), "first": report.findings[0]},
            returncode=1,
        )
