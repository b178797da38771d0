"""Build the per-size databases: the first from the fixtures, the organisation and the
templates, each next one a copy of the previous extended by the generator."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from django.core.management import call_command
from django.db import connection

from documents.models import Document

from . import organisation, templates
from .environment import BENCH_DIR, Backend
from .generate import Generator

FIXTURES = ("document_types", "organisation", "demo_documents")


def _templates_file(backend: Backend) -> str:
    return str(BENCH_DIR / f"templates-{backend.vendor}.json")


def build(
    backend: Backend,
    sizes: list[int],
    *,
    units: int,
    people: int,
    per_day: float,
    reuse: bool = False,
) -> dict[int, dict]:
    """One database per size; returns what the generator did for each."""
    report: dict[int, dict] = {}
    generator: Generator | None = None
    previous: str | None = None
    for size in sorted(sizes):
        name = backend.name_for(str(size))
        if reuse and backend.exists(name):
            backend.use(name)
            # Apply what the code added since (an index, a column): measure today's schema,
            # with fresh statistics.
            call_command("migrate", verbosity=0, interactive=False)
            backend.analyze()
            if Document.objects.count() >= size:
                print(f"reusing {name} ({Document.objects.count()} documents)", file=sys.stderr)
                report[size] = {"database": name, "reused": True}
                previous = name
                continue
        if previous is None:
            backend.create_empty(name)
            call_command("loaddata", *FIXTURES, verbosity=0)
            organisation.build(units=units, people=people)
            made = templates.create_all()
            with open(_templates_file(backend), "w") as stream:
                json.dump([asdict(t) for t in made], stream)
        else:
            backend.copy(previous, name)
        if generator is None:
            with open(_templates_file(backend)) as stream:
                made = [
                    templates.Template(**{**t, "slot_unit_ids": tuple(t["slot_unit_ids"])})
                    for t in json.load(stream)
                ]
            generator = Generator(organisation.load(), made, per_day=per_day)
        result = generator.run(size - Document.objects.count(), label=f"{size:>9,}")
        backend.analyze()
        report[size] = {
            "database": name,
            "documents": Document.objects.count(),
            "generated": result.documents,
            "rows_written": result.rows,
            "seconds": round(result.seconds, 1),
            "rows_per_second": round(result.rows / result.seconds) if result.seconds else None,
            "documents_per_second": (
                round(result.documents / result.seconds) if result.seconds else None
            ),
        }
        print(f"{name}: {json.dumps(report[size])}", file=sys.stderr)
        previous = name
    connection.close()
    return report
