"""Write a document in the Decree 30 layout to a PDF or DOCX file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.models import Document
from documents.rendering import render_docx, render_pdf


class Command(BaseCommand):
    help = "Xuất văn bản theo thể thức Nghị định 30/2020/NĐ-CP ra tệp PDF hoặc DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pk", type=int)
        parser.add_argument("--format", choices=("pdf", "docx"), default="pdf")
        parser.add_argument("-o", "--output", type=Path, required=True)
        mark = parser.add_mutually_exclusive_group()
        mark.add_argument(
            "--draft-mark",
            dest="draft_mark",
            action="store_true",
            default=None,
            help="Luôn in dấu DỰ THẢO (PDF).",
        )
        mark.add_argument(
            "--no-draft-mark",
            dest="draft_mark",
            action="store_false",
            help="Không in dấu DỰ THẢO (PDF).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = Document.objects.select_related("organization", "document_type").get(
                pk=options["pk"]
            )
        except Document.DoesNotExist as error:
            raise CommandError(f"Không có văn bản số {options['pk']}.") from error
        output: Path = options["output"]
        with output.open("wb") as stream:
            if options["format"] == "pdf":
                render_pdf(document, stream, draft_mark=options["draft_mark"])
            else:
                render_docx(document, stream)
        self.stdout.write(str(output))
