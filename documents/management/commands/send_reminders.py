"""Send today's reminders about the assignments' deadlines, and escalate the overdue ones
(documents.followup.reminders). For cron on a single machine; larger installations let Celery
beat run documents.tasks.send_assignment_reminders instead. Safe to run as often as wanted:
each reminder is sent once per deadline."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from documents.followup import reminders
from documents.management import arguments


class Command(BaseCommand):
    help = (
        "Gửi nhắc hạn các nhiệm vụ sắp đến hạn, đến hạn, quá hạn và báo cáo lãnh đạo về "
        "nhiệm vụ quá hạn; mỗi lời nhắc chỉ gửi một lần cho mỗi thời hạn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Ngày được coi là hôm nay, dạng dd/mm/yyyy (mặc định: hôm nay).",
        )

    def handle(self, *args: object, **options: object) -> None:
        today = arguments.day(options.get("date"))
        counts = reminders.send_due_reminders(today=today)
        self.stdout.write(
            _(
                "Đã gửi nhắc hạn: %(before)d sắp đến hạn, %(due)d đến hạn, %(overdue)d quá hạn, "
                "%(escalation)d báo cáo lãnh đạo."
            )
            % counts
        )
