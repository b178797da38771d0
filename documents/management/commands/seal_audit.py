"""Seal the audit trail: a checkpoint over the heads of the chains that moved since the last
one, signed by the agency (documents.trail.seal). Celery beat runs it every day
(documents.tasks.seal_audit_trail); this command is for cron on a single machine."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from documents import trail


class Command(BaseCommand):
    help = _("Niêm phong nhật ký xử lý: ký số đầu các chuỗi đã thay đổi từ lần niêm phong trước.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            checkpoint = trail.seal()
        except trail.SealError as error:
            raise CommandError(
                _("Không niêm phong được nhật ký (không ký được): %(error)s") % {"error": error}
            ) from error
        if checkpoint is None:
            self.stdout.write(_("Không có sự kiện mới từ lần niêm phong trước."))
            return
        self.stdout.write(
            _("Đã niêm phong điểm số %(seq)d: %(chains)d chuỗi, mã băm %(hash)s.")
            % {"seq": checkpoint.seq, "chains": len(checkpoint.heads), "hash": checkpoint.hash}
        )
