"""``python -m benchmarks.search --documents 100000 [--documents 10000] [--reuse]``: the
search (documents.search.query.search) at N documents, as its page asks it: the capped count
and the first page of 20, best of 5, for a văn thư and a chuyên viên.

The database engine is the one DATABASE_URL names; each size gets its own database
(``<name>_search_<N>`` on PostgreSQL, var/bench/sqlite/bench-search-<N>.sqlite3 on SQLite),
built fast: the demo fixtures, then Documents, their SearchEntry and DocumentAccess rows in
bulk, with Vietnamese subjects and bodies cut from the seed plan's text."""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

SEED_TEXT = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"
SEED_FILE = "ke-hoach-ttatgt-2020.txt"
QUERIES = {
    "phrase": "ke hoach an toan giao thong",
    "unit": "cong an tinh",
    "rare": "bu gia map",
    "common": "giao",
    "common2": "thong tin",
}
RARE_EVERY = 5000  # one document in this many names Bù Gia Mập
BATCH = 5000


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__)
    parser.add_argument("--documents", type=int, action="append", help="size (repeatable)")
    parser.add_argument("--reuse", action="store_true", help="keep a database already built")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed-file", default="", help="the seed plan's text")
    return parser.parse_args(argv)


def _fixture_body() -> str:
    """The seed plan's body as the demo fixture carries it (a clone without ../shared)."""
    import json

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "demo_documents.json"
    rows = json.loads(fixture.read_text(encoding="utf-8"))
    return "\n".join(
        row["fields"].get("body", "") for row in rows if row["model"] == "documents.document"
    )


def seed_sentences(path: str) -> list[str]:
    candidates = [Path(path)] if path else []
    candidates += [SEED_TEXT / SEED_FILE, Path("/work/shared/seed") / SEED_FILE]
    for candidate in candidates:
        if candidate.exists():
            text = candidate.read_text(encoding="utf-8")
            break
    else:
        text = _fixture_body()
    text = re.sub(r"[*#“”]", "", text)
    parts = [p.strip() for p in re.split(r"(?<=[.;:])\s+|\n+", text)]
    return [p for p in parts if len(p.split()) >= 4]


def _create_database(name: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        connection.close()
        server = {
            k: v
            for k, v in {
                "host": settings["HOST"],
                "port": settings["PORT"],
                "user": settings["USER"],
                "password": settings["PASSWORD"],
            }.items()
            if v
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(name).unlink(missing_ok=True)
    _use(name)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("loaddata", "document_types", "organisation", "demo_documents", verbosity=0)


def _use(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _name_for(size: int) -> str:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"{connection.settings_dict['NAME']}_search_{size}"
    directory = Path(settings.BASE_DIR) / "var" / "bench" / "sqlite"
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory / f"bench-search-{size}.sqlite3")


def generate(size: int, sentences: list[str]) -> None:
    """``size`` documents in bulk: a mix of states, 3% confidential, each with its entry and
    the access rows the rule gives it (drafter, the agency's clerks and leaders, 1–3 units)."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from documents.models import Document, DocumentAccess, DocumentType, SearchEntry, Unit
    from documents.search.index import HEAD_SEPARATOR
    from documents.search.text import stored

    rng = random.Random(17)
    plan = Document.objects.filter(origin=Document.Origin.OUTGOING).first()
    organization = plan.organization
    types = list(DocumentType.objects.all())
    groups = list(Unit.objects.exclude(group=None).values_list("group_id", flat=True))
    chuyenvien = User.objects.get(username="chuyenvien")
    vp_group = chuyenvien.groups.filter(unit__isnull=False).values_list("pk", flat=True).first()
    drafters = list(User.objects.filter(username__in=["chuyenvien", "chanhvanphong", "ttbcxb"]))
    statuses = ["issued"] * 6 + ["archived"] * 2 + ["draft", "submitted", "signed"]
    now = timezone.now()
    made = Document.objects.count()
    start = made
    while made < start + size:
        count = min(BATCH, start + size - made)
        docs, texts, audiences = [], [], []
        for i in range(count):
            number = made + i
            kind = rng.choice(types)
            subject = rng.choice(sentences)[:300]
            body = " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 12)))
            if (number - start) % RARE_EVERY == 7:
                body += " Huyện Bù Gia Mập thực hiện tuần tra."
            status = rng.choice(statuses)
            issued = status in ("issued", "archived")
            confidential = rng.random() < 0.03
            drafter = rng.choice(drafters)
            notation = f"{number}/{kind.abbreviation}-STTTT" if issued else ""
            docs.append(
                Document(
                    organization=organization,
                    document_type=kind,
                    subject=subject,
                    body=body,
                    status=status,
                    confidentiality="mat" if confidential else "",
                    drafter=drafter,
                    notation=notation,
                    issued_on=(now - dt.timedelta(days=number % 2000)).date() if issued else None,
                    issued_year=(now - dt.timedelta(days=number % 2000)).year if issued else None,
                )
            )
            texts.append(
                stored([kind.name, notation, subject])
                + HEAD_SEPARATOR
                + stored([body, "Công an tỉnh", "Các sở, ban, ngành"])
            )
            rows = [f"user:{drafter.pk}"]
            if status in ("signed", "issued", "archived"):
                rows.append(f"clerks:{organization.pk}")
            if issued and not confidential:
                rows.append(f"leaders:{organization.pk}")
            if issued:
                picked = rng.sample(groups, k=min(len(groups), rng.randint(1, 3)))
                if rng.random() < 0.2 and vp_group:
                    picked.append(vp_group)
                rows += [f"group:{g}" for g in set(picked)]
            audiences.append(rows)
        with transaction.atomic():
            created = Document.objects.bulk_create(docs, batch_size=1000)
            SearchEntry.objects.bulk_create(
                [SearchEntry(document=d, text=t) for d, t in zip(created, texts, strict=True)],
                batch_size=1000,
            )
            DocumentAccess.objects.bulk_create(
                [
                    DocumentAccess(document=d, audience=a, created_at=d.created_at)
                    for d, rows in zip(created, audiences, strict=True)
                    for a in rows
                ],
                batch_size=2000,
            )
        made += count
        print(f"  {made:,} documents", file=sys.stderr)
    # Spread the creation times over the years the issued dates cover (newest first).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE documents_document SET created_at = now() - (id || ' hours')::interval"
            )
            cursor.execute(
                "UPDATE documents_documentaccess a SET created_at = d.created_at "
                "FROM documents_document d WHERE d.id = a.document_id"
            )
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def measure(size: int, repeats: int) -> dict[str, dict[str, float]]:
    """ms per query (best of ``repeats``): the capped count and page 1, as the page asks."""
    from django.contrib.auth.models import User

    from approvals.ui.pagination import CappedPaginator
    from documents.search.query import search

    results: dict[str, dict[str, float]] = {}
    for username in ("vanthu", "chuyenvien"):
        user = User.objects.get(username=username)
        for label, q in QUERIES.items():
            best = float("inf")
            hits = 0
            for _ in range(repeats):
                user = User.objects.get(pk=user.pk)  # each request loads its user
                began = time.perf_counter()
                paginator = CappedPaginator(search(user, q), 20)
                page = paginator.page(1)
                rows = list(page.object_list)
                hits = paginator.count
                best = min(best, time.perf_counter() - began)
            results.setdefault(username, {})[label] = best * 1000
            shown = f"{hits}{'+' if paginator.capped else ''}"
            print(
                f"{size:>9,}  {username:<11} {label:<8} {q!r:<32} {best * 1000:8.1f} ms"
                f"  ({shown} hits, {len(rows)} on page 1)"
            )
    return results


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.db import connection

    from benchmarks import environment
    from documents.models import Document

    environment.prepare_process()
    sentences = seed_sentences(options.seed_file)
    sizes = sorted(options.documents or [10000])
    print(f"search benchmark on {connection.vendor}", file=sys.stderr)
    for size in sizes:
        name = _name_for(size)
        _use_base = connection.settings_dict["NAME"]
        reused = False
        if options.reuse:
            try:
                _use(name)
                reused = Document.objects.count() >= size
            except Exception:  # noqa: BLE001 — no such database yet
                reused = False
            if not reused:
                _use(_use_base)
        if not reused:
            print(f"building {name}", file=sys.stderr)
            _create_database(name)
            generate(size - Document.objects.count(), sentences)
        measure(size, options.repeats)
        _use(_use_base)


if __name__ == "__main__":
    main()
