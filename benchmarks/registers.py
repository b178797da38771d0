"""``python -m benchmarks.registers [--documents 5000]``: how long the outgoing register (Phụ
lục IV, mẫu I) of N documents takes to export, to XLSX and to PDF.

Makes its own database (``<name>_registers`` on PostgreSQL, var/bench/sqlite/…), writes N
issued documents in the shared book "HC" of one year, each with three recipient lines and
three receipts (one acknowledged), then times the row selector alone, the XLSX and the PDF
(documents.records.register_exports), each the best of ``--repeats`` runs. Prints the
figures; asserts nothing about time."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time

YEAR = 2020


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.registers", description=__doc__)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (the slow one)")
    return parser.parse_args(argv)


def fill(count: int) -> None:
    """N issued documents of the agency in the book HC, with their lines and receipts."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from documents.models import Document, Organization, Receipt, RecipientLine, Unit

    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    seed = Document.objects.get(origin=Document.Origin.OUTGOING, subject__startswith="Phát động")
    agency = Organization.objects.get(abbreviation="STTTT")
    units = list(Unit.objects.filter(abbreviation__in=["CA", "VP", "VT"]).order_by("pk"))
    start = dt.date(YEAR, 1, 2)
    with transaction.atomic():
        made = Document.objects.bulk_create(
            [
                Document(
                    origin=Document.Origin.OUTGOING,
                    organization=agency,
                    document_type_id=seed.document_type_id,
                    drafting_unit_id=seed.drafting_unit_id,
                    type_name="Kế hoạch",
                    drafting_unit_abbreviation="VP",
                    subject=f"{seed.subject} (bản {number})",
                    status=Document.Status.ISSUED,
                    register_key="HC",
                    number=number,
                    notation=f"{number:02d}/KH-STTTT",
                    issued_on=start + dt.timedelta(days=number * 360 // (count + 1)),
                    issued_year=YEAR,
                    signer_name="Trần Văn Phó",
                )
                for number in range(1, count + 1)
            ],
            batch_size=1000,
        )
        texts = ["Công an tỉnh", "Văn phòng", "Lưu: VT"]
        RecipientLine.objects.bulk_create(
            [
                RecipientLine(document=document, position=position, text=text)
                for document in made
                for position, text in enumerate(texts)
            ],
            batch_size=5000,
        )
        Receipt.objects.bulk_create(
            [
                Receipt(
                    document=document,
                    unit=unit,
                    status=Receipt.Status.ACKNOWLEDGED if index == 0 else Receipt.Status.PENDING,
                )
                for document in made
                for index, unit in enumerate(units)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def best(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def main(argv: list[str] | None = None) -> dict:
    options = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.contrib.auth.models import User

    from benchmarks.environment import Backend
    from documents.models import Organization
    from documents.records import register_exports, registers

    backend = Backend.current()
    name = backend.name_for("registers")
    backend.create_empty(name)
    began = time.perf_counter()
    fill(options.documents)
    print(
        f"{backend.version()}: {options.documents:,} issued documents in the book HC of "
        f"{YEAR}, written in {time.perf_counter() - began:.1f} s"
    )
    register = registers.Register(
        kind=registers.OUTGOING,
        organization=Organization.objects.get(abbreviation="STTTT"),
        book="HC",
        year=YEAR,
    )
    user = User.objects.get(username="vanthu")
    count = len(registers.register_rows(register))
    result: dict = {"backend": backend.vendor, "documents": count}

    def report(label: str, seconds: float, size: int | None = None) -> None:
        result[f"{label}_s"] = round(seconds, 3)
        result[f"{label}_rows_per_s"] = round(count / seconds)
        extra = f", {size / 1e6:.1f} MB" if size else ""
        print(f"{label}: {seconds:.2f} s, {count / seconds:,.0f} rows/s{extra}")

    report("rows", best(lambda: sum(1 for _ in registers.iter_register_rows(register)), 1))
    sizes: dict[str, int] = {}

    def export(kind: str) -> None:
        stream = io.BytesIO()
        writer = register_exports.write_xlsx if kind == "xlsx" else register_exports.write_pdf
        writer(register, stream, user=user)
        sizes[kind] = stream.tell()

    for kind in ("xlsx",) if options.no_pdf else ("xlsx", "pdf"):
        seconds = best(lambda kind=kind: export(kind), options.repeats)
        report(kind, seconds, sizes[kind])
    backend.use(backend.base_name)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
