"""Rebuild the search entries (documents.search) of every document, or of those missing one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from documents.models import Document
from documents.search.index import write_entry


class Command(BaseCommand):
    help = (
        "Lập lại chỉ mục tra cứu (nội dung, siêu dữ liệu và văn bản trong tệp đính kèm) "
        "của mọi văn bản; --missing: chỉ các văn bản chưa có."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing", action="store_true", help="Chỉ các văn bản chưa có chỉ mục."
        )

    def handle(self, *args: object, **options: object) -> None:
        documents = Document.objects.order_by("pk")
        if options["missing"]:
            documents = documents.filter(search_entry__isnull=True)
        count = 0
        for document in documents.iterator(chunk_size=500):
            write_entry(document)
            count += 1
        self.stdout.write(_("Đã lập chỉ mục tra cứu cho %(n)d văn bản.") % {"n": count})
