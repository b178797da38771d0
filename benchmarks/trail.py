"""``python -m benchmarks.trail [--events 100000] [--chains 10000]``: how fast verify_audit
walks the trail (issue 16's goal: 100,000 events a second on PostgreSQL).

Makes its own database (``<name>_trail`` on PostgreSQL, var/bench/sqlite/bench-trail.sqlite3),
writes the events as the trail's own chains (documents.audit_format) with a realistic mix of
kinds, comments and data, and times, in one run: reading the rows alone, hashing them alone,
and the whole check (documents.trail.verify without files). Prints the figures; asserts
nothing about time."""

from __future__ import annotations

import argparse
import os
import sys
import time


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.trail", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--chains", type=int, default=10_000, help="documents' chains")
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args(argv)


KINDS = [
    ("created", "", {}),
    ("submitted", "", {"signer": "Trần Thị Bình"}),
    ("signed_off", "Đồng ý ban hành.", {}),
    ("issued", "", {"notation": "01/KH-STTTT", "issued_on": "2020-04-01"}),
    ("distributed", "", {"units": ["Công an tỉnh", "Văn phòng", "Phòng TTBCXB"]}),
    ("acknowledged", "", {"unit": "Phòng Bưu chính, Viễn thông và CNTT"}),
    ("rendered", "", {"rendition": "issued", "pdf_sha256": "ab" * 32}),
]


def fill(events: int, chains: int) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction

    from documents import audit, audit_format
    from documents.models import Document, Event

    # The documents the chains belong to: copies of the seed plan's draft.
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)
    seed = Document.objects.get(pk=2)
    fields = {f.attname: getattr(seed, f.attname) for f in Document._meta.concrete_fields}
    fields.pop("id")
    made = Document.objects.bulk_create([Document(**fields) for _ in range(chains)])
    documents = [document.pk for document in made]
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    rows = []
    per_chain = max(1, events // chains)
    written = 0
    with transaction.atomic():
        for document in documents:
            chain, prev = audit_format.document_chain(document), audit_format.GENESIS
            for seq in range(1, per_chain + 1):
                if written >= events:
                    break
                kind, comment, data = KINDS[(seq - 1) % len(KINDS)]
                created = start + dt.timedelta(seconds=written)
                role = "Chuyên viên, Văn phòng"
                digest = audit_format.event_hash(
                    chain,
                    seq,
                    prev,
                    audit.timestamp(created),
                    document,
                    None,
                    role,
                    kind,
                    comment,
                    data,
                )
                rows.append(
                    Event(
                        chain=chain,
                        document_id=document,
                        seq=seq,
                        prev=prev,
                        hash=digest,
                        created_at=created,
                        role=role,
                        kind=kind,
                        comment=comment,
                        data=data,
                    )
                )
                prev = digest
                written += 1
            if len(rows) >= 5000:
                Event.objects.bulk_create(rows)
                rows = []
        Event.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main(argv: list[str] | None = None) -> dict:
    options = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from benchmarks.environment import Backend
    from documents import audit_format, trail
    from documents.models import Event
    from documents.trail import walk

    backend = Backend.current()
    name = backend.name_for("trail")
    backend.create_empty(name)
    began = time.perf_counter()
    fill(options.events, options.chains)
    count = Event.objects.count()
    print(
        f"{backend.version()}: {count} events in {options.chains} chains, written in "
        f"{time.perf_counter() - began:.1f} s"
    )

    def best(work) -> float:
        times = []
        for _ in range(options.repeats):
            began = time.perf_counter()
            work()
            times.append(time.perf_counter() - began)
        return min(times)

    rows = list(walk._event_rows())
    read = best(lambda: sum(1 for _ in walk._event_rows()))

    def hash_only() -> None:
        for row in rows:
            chain, seq, prev, created, document, actor, role, kind, comment, data = row[:10]
            audit_format._dumps(
                [
                    1,
                    chain,
                    seq,
                    prev,
                    created,
                    document,
                    actor,
                    role,
                    kind,
                    comment,
                    data,
                ]
            )

    hashing = best(hash_only)
    reports = []

    def whole() -> None:
        reports.append(trail.verify(files=False, signatures=False))

    total = best(whole)
    assert reports[-1].ok, reports[-1].findings[:3]
    result = {
        "backend": backend.vendor,
        "events": count,
        "read_per_s": round(count / read),
        "canonical_per_s": round(count / hashing),
        "verify_per_s": round(count / total),
        "verify_s": round(total, 3),
    }
    print(
        f"reading the rows: {result['read_per_s']:,} events/s; canonical form alone: "
        f"{result['canonical_per_s']:,} events/s; verify_audit (no files): "
        f"{result['verify_per_s']:,} events/s ({total:.2f} s for {count:,})"
    )
    backend.use(backend.base_name)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
