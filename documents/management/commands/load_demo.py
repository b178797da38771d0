"""Load the demo organisation and documents once, and make throw-away signing certificates."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from documents.models import Organization

DEMO_FIXTURES = ("document_types", "organisation", "demo_documents")


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (một lần) và tạo chứng thư số thử nghiệm nếu chưa có."

    def handle(self, *args: object, **options: object) -> None:
        if Organization.objects.exists():
            self.stdout.write("Dữ liệu mẫu đã có, không nạp lại.")
        else:
            call_command("loaddata", *DEMO_FIXTURES, verbosity=options["verbosity"])
        if Path(settings.SIGNING["CA_CERT"]).exists():
            self.stdout.write("Chứng thư số thử nghiệm đã có.")
        else:
            call_command("make_demo_pki", verbosity=options["verbosity"])
